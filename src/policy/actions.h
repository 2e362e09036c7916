/*
 * The IAM action catalogue: generated data (actions_data.c, from
 * scripts/gen-iam-actions.py) and the look-ups over it. Private to
 * src/policy; see docs/internals/IAM-ACTIONS.md.
 */
#ifndef TERN_POLICY_ACTIONS_H
#define TERN_POLICY_ACTIONS_H

#include <stddef.h>

/*
 * "prefix:Action" for every catalogued service, sorted case-insensitively
 * (ASCII), so each service's actions are contiguous.
 */
extern const char *const tern__policy_actions[];
extern const size_t tern__policy_actions_count;

/* Every service prefix the botocore models know, lower case, sorted. */
extern const char *const tern__policy_prefixes[];
extern const size_t tern__policy_prefixes_count;

/*
 * An API operation that is not an IAM action ("s3:HeadObject") and what IAM
 * authorises it with, as a phrase for messages: "\"s3:GetObject\"", or
 * "\"s3:GetObject\" and \"s3:PutObject\"".
 */
struct tern__policy_rename {
    const char *operation;
    const char *actions;
};

/* Sorted by operation like tern__policy_actions. */
extern const struct tern__policy_rename tern__policy_renames[];
extern const size_t tern__policy_renames_count;

#endif
