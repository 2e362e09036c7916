/**
 * @file policy/policy.h
 * @brief IAM policy documents: one normalizer for every policy-valued
 * attribute, equivalence, and a linter for `tern validate`.
 *
 * Two policy documents that IAM treats the same compare equal here, so that
 * the planner can keep the user's text in state and a plan after apply is
 * empty. The canonical form (tern_policy_normalize()) is what makes them
 * equal; the rules, each one a reason an equivalent document can come back
 * from AWS in a different shape:
 *
 * - Text: plain JSON, or IAM's URL-encoded form (GetRolePolicy,
 *   GetPolicyVersion, GetRole return `%7B%22Version...`; RFC 3986, so `+`
 *   stays a plus sign). Whitespace between tokens is irrelevant.
 * - `Version`: kept. An absent Version is `"2008-10-17"`, the version IAM
 *   applies when there is none, so absent equals `"2008-10-17"` but not
 *   `"2012-10-17"` (which turns on policy variables: the same text means
 *   something else under each version).
 * - `Id` and `Sid`: an empty string is the same as none.
 * - `Statement`: one object is a one-element list. IAM evaluates statements
 *   as a set, so they are sorted (by their canonical text) and identical
 *   statements are merged.
 * - `Action`, `NotAction`: a string is a one-element list; sorted and
 *   without duplicates; lower case, because service prefix and action name
 *   are case-insensitive in IAM.
 * - `Resource`, `NotResource`: string or list, sorted, without duplicates;
 *   case kept (ARNs are case-sensitive).
 * - `Principal`, `NotPrincipal`: `"*"` is `{"AWS": "*"}`; each type's values
 *   a sorted list without duplicates; an AWS account written as its root ARN
 *   (`arn:aws:iam::123456789012:root`) is the bare account id, which is the
 *   form IAM documents as equivalent and may return either way.
 * - `Condition`: operator names are case-sensitive and kept; condition keys
 *   are case-insensitive and lower-cased; values are a sorted list without
 *   duplicates, booleans and numbers as the strings IAM compares them as
 *   (`true` is `"true"`, `3` is `"3"`); value case is kept.
 * - Anything else is kept as it is.
 */
#ifndef TERN_POLICY_POLICY_H
#define TERN_POLICY_POLICY_H

#include <jansson.h>

#include "tern/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The plain JSON text of a policy document: @p text itself, or its decoding
 * when it is IAM's URL-encoded form (it starts, after blanks, with `%7B`).
 * @param out the text; the caller frees it with tern_free()
 * @param text the document (borrowed)
 * @return TERN_OK, TERN_EINVALID for a broken %-escape, or TERN_ENOMEM
 */
int tern_policy_text_decode(char **out, const char *text);

/**
 * The canonical form of an IAM policy document (see the file comment).
 * @param out the canonical document, a new reference the caller owns
 *        (json_decref()); NULL on failure
 * @param text the document, plain or URL-encoded (borrowed)
 * @param diags where a parse failure is described (an error); may be NULL
 * @return TERN_OK, TERN_EINVALID when @p text is not a policy document
 *         (not JSON, not an object, or a statement of the wrong shape), or
 *         TERN_ENOMEM
 */
int tern_policy_normalize(json_t **out, const char *text,
                          struct tern_diags *diags);

/**
 * The canonical form as compact JSON text with sorted keys: two documents
 * are equivalent exactly when these strings are equal.
 * @param out the text; the caller frees it with tern_free()
 * @param text the document (borrowed)
 * @param diags as for tern_policy_normalize(); may be NULL
 * @return as tern_policy_normalize()
 */
int tern_policy_canonical(char **out, const char *text,
                          struct tern_diags *diags);

/**
 * Whether two policy documents mean the same to IAM.
 * @param a one document, plain or URL-encoded (borrowed)
 * @param b the other (borrowed)
 * @return 1 when equivalent, 0 when not, -1 when either does not parse as
 *         a policy document (or memory ran out)
 */
int tern_policy_equivalent(const char *a, const char *b);

/**
 * tern_policy_equivalent() for attribute values, as a schema's equivalence
 * hook: the planner calls it with the prior (state) and desired values of a
 * policy-valued attribute and keeps the prior text when it returns 1.
 * Strings are compared as documents; an object (a policy written as a JSON
 * object, e.g. in `.tf.json`) is compared by its text. When either side
 * does not parse, the values are compared with json_equal(), so a broken
 * document still diffs. Two JSON nulls (or two NULLs) are equivalent.
 * @param same set to 1 when equivalent, else 0
 * @param a the prior value (borrowed); may be NULL
 * @param b the desired value (borrowed); may be NULL
 * @return TERN_OK, or TERN_ENOMEM when memory ran out (*same 0, meaning
 *         nothing)
 */
int tern_policy_equiv_fn(int *same, const json_t *a, const json_t *b);

/**
 * Check a policy document for mistakes IAM would refuse or silently accept:
 *
 * - errors (IAM refuses the document): not JSON, no `Statement`, a statement
 *   that is not an object, an `Effect` other than exactly `Allow` or `Deny`
 *   (or none), a statement with neither `Action` nor `NotAction` (or both),
 *   an action that is neither `*` nor `service:action`;
 * - warnings (IAM accepts the document, but it does not do what was meant):
 *   an action the catalogued services (iam, sts, s3, ecr, sagemaker, ec2,
 *   logs, cloudwatch, kms) do not have, with the closest real one
 *   ("Did you mean "ecr:DescribeRepositories"?"); a wildcard action that
 *   matches none of the service's actions; a misspelt catalogued service
 *   prefix (`sagemkaer:`); a `Resource`/`NotResource` that is neither `*`
 *   nor an ARN (`arn:partition:service:region:account:resource`).
 *
 * Actions of services outside the catalogue are not checked.
 * @param text the document, plain or URL-encoded (borrowed)
 * @param file_hint where it comes from, for the messages (e.g.
 *        `main.tf: aws_iam_role_policy.x.policy`); may be NULL
 * @param diags receives the diagnostics
 * @return TERN_OK when no error was found (warnings may have been added),
 *         TERN_EINVALID when at least one error was, TERN_ENOMEM
 */
int tern_policy_lint(const char *text, const char *file_hint,
                     struct tern_diags *diags);

/**
 * Look an action up in the catalogue.
 * @param action `service:Action`, case-insensitive; wildcards `*` and `?`
 *        allowed in the action name (borrowed)
 * @return 1 when the action exists (or the pattern matches at least one),
 *         0 when it does not, -1 when the service is not catalogued or
 *         @p action is not of the form `service:action`
 */
int tern_policy_action_known(const char *action);

#ifdef __cplusplus
}
#endif

#endif
