/*
 * src/policy: the canonical form of IAM policy documents, equivalence (the
 * pairs in tests/cases/policy/pairs.txt), the linter and the action
 * catalogue.
 */
#include "runner.h"

#include "engine/engine_int.h"
#include "policy/actions.h"
#include "policy/policy.h"
#include "tern/diag.h"
#include "util/alloc.h"

#include <strings.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

struct pair {
    char *name; /* "tf_21968_efs_equivalent: why" */
    int expect_equivalent;
    char *a;
    char *b;
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    if (!f)
        FAIL("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    ASSERT_NOT_NULL(s);
    ASSERT_EQ(fread(s, 1, (size_t)n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static char *dup_range(const char *start, const char *end)
{
    char *s;

    /* Drop the newline that ends the last line of a document. */
    while (end > start && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    s = malloc((size_t)(end - start) + 1);
    ASSERT_NOT_NULL(s);
    memcpy(s, start, (size_t)(end - start));
    s[end - start] = '\0';
    return s;
}

/* Parse pairs.txt (format in its header). Returns the number of pairs. */
static size_t load_pairs(struct pair **out)
{
    char path[4096];
    char *text, *p;
    struct pair *pairs = NULL;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/tests/cases/policy/pairs.txt",
             tern_test_source_dir());
    text = read_file(path);
    p = text;
    while ((p = strstr(p, "\n=== ")) != NULL) {
        char *name_end, *a, *b, *next;
        struct pair *pr;

        p += 5;
        name_end = strchr(p, '\n');
        ASSERT_NOT_NULL(name_end);
        pairs = realloc(pairs, (n + 1) * sizeof(*pairs));
        ASSERT_NOT_NULL(pairs);
        pr = &pairs[n++];
        pr->name = dup_range(p, name_end);
        p = name_end + 1;
        if (strncmp(p, "expect: equivalent\n", 19) == 0)
            pr->expect_equivalent = 1;
        else if (strncmp(p, "expect: different\n", 18) == 0)
            pr->expect_equivalent = 0;
        else
            FAIL("pair %s: no expect: line", pr->name);
        a = strstr(p, "\n--- a\n");
        b = strstr(p, "\n--- b\n");
        ASSERT_NOT_NULL(a);
        ASSERT_NOT_NULL(b);
        a += 7;
        next = strstr(b + 7, "\n=== ");
        pr->a = dup_range(a, b + 1);
        pr->b = dup_range(b + 7, next ? next + 1 : b + 7 + strlen(b + 7));
        p = b + 7;
    }
    free(text);
    *out = pairs;
    return n;
}

static void free_pairs(struct pair *pairs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(pairs[i].name);
        free(pairs[i].a);
        free(pairs[i].b);
    }
    free(pairs);
}

/*
 * Check every pair whose name starts with prefix ("" for all): the
 * verdict, its symmetry, and that the canonical form is a fixed point.
 * Returns how many pairs were checked.
 */
static size_t check_pairs(const char *prefix)
{
    struct pair *pairs;
    size_t n = load_pairs(&pairs), i, checked = 0, failed = 0;

    for (i = 0; i < n; i++) {
        const struct pair *pr = &pairs[i];
        char *ca = NULL, *cb = NULL, *cca = NULL;
        int got, back;

        if (strncmp(pr->name, prefix, strlen(prefix)) != 0)
            continue;
        checked++;
        got = tern_policy_equivalent(pr->a, pr->b);
        back = tern_policy_equivalent(pr->b, pr->a);
        ASSERT_OK(tern_policy_canonical(&ca, pr->a, NULL));
        ASSERT_OK(tern_policy_canonical(&cb, pr->b, NULL));
        ASSERT_OK(tern_policy_canonical(&cca, ca, NULL));
        if (got != pr->expect_equivalent || back != got ||
            strcmp(ca, cca) != 0) {
            fprintf(stderr,
                    "# pair %s: expected %s, got %d (reversed %d)\n"
                    "#   a: %s\n#   b: %s\n",
                    pr->name,
                    pr->expect_equivalent ? "equivalent" : "different", got,
                    back, ca, cb);
            failed++;
        }
        tern_free(ca);
        tern_free(cb);
        tern_free(cca);
    }
    free_pairs(pairs, n);
    ASSERT_EQ(failed, 0);
    return checked;
}

/* The first diagnostic whose detail contains needle, or NULL. */
static const struct tern_diag *find_diag(const struct tern_diags *d,
                                         const char *needle)
{
    size_t i;

    for (i = 0; i < d->count; i++)
        if (d->items[i].detail && strstr(d->items[i].detail, needle))
            return &d->items[i];
    return NULL;
}

static void dump_diags(const struct tern_diags *d)
{
    size_t i;

    for (i = 0; i < d->count; i++)
        fprintf(stderr, "# %s: %s: %s\n",
                d->items[i].severity == TERN_SEV_ERROR ? "error" : "warning",
                d->items[i].summary,
                d->items[i].detail ? d->items[i].detail : "");
}

/* Lint a one-statement identity policy with these Action and Resource. */
static int lint_one(struct tern_diags *d, const char *action,
                    const char *resource)
{
    char doc[2048];

    snprintf(doc, sizeof(doc),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
             "\"Allow\",\"Action\":\"%s\",\"Resource\":\"%s\"}]}",
             action, resource);
    return tern_policy_lint(doc, "main.tf", d);
}

/* ------------------------------------------------------------------ */
/* Equivalence                                                         */
/* ------------------------------------------------------------------ */

TEST(policy, pairs)
{
    /* The issue asks for at least 40 named pairs. */
    ASSERT_CMP(check_pairs(""), >=, 40);
}

TEST(policy, pairs_tf_21968)
{
    /* hashicorp/terraform-provider-aws #21968, from its acceptance test. */
    ASSERT_CMP(check_pairs("tf_21968_"), >=, 3);
}

TEST(policy, canonical_form)
{
    char *c = NULL;

    ASSERT_OK(tern_policy_canonical(
        &c,
        "{\"Statement\":{\"Sid\":\"\",\"Effect\":\"Allow\",\"Principal\":"
        "\"*\",\"Action\":[\"S3:PutObject\",\"s3:GetObject\","
        "\"s3:getobject\"],\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":"
        "{\"Bool\":{\"aws:SecureTransport\":true},\"NumericLessThan\":{"
        "\"AWS:MultiFactorAuthAge\":[3600,\"60\"]}}}}",
        NULL));
    ASSERT_STR_EQ(c, "{\"Statement\":[{\"Action\":[\"s3:getobject\","
                     "\"s3:putobject\"],\"Condition\":{\"Bool\":{"
                     "\"aws:securetransport\":[\"true\"]},"
                     "\"NumericLessThan\":{\"aws:multifactorauthage\":"
                     "[\"3600\",\"60\"]}},\"Effect\":\"Allow\","
                     "\"Principal\":{\"AWS\":[\"*\"]},\"Resource\":["
                     "\"arn:aws:s3:::b/*\"]}],\"Version\":\"2008-10-17\"}");
    tern_free(c);
}

TEST(policy, url_encoded_as_iam_returns)
{
    /* GetRolePolicy's PolicyDocument for the SageMaker guide's policy. */
    static const char encoded[] =
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22"
        "Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22iam%3AGetRole%22%5D"
        "%2C%22Resource%22%3A%22arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
        "sagemaker%2Bmlflow%22%7D%5D%7D";
    static const char plain[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":[\"iam:GetRole\"],\"Resource\":\"arn:aws:iam::"
        "123456789012:role/sagemaker+mlflow\"}]}";
    char *text = NULL, *c1 = NULL, *c2 = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;

    ASSERT_OK(tern_policy_text_decode(&text, encoded));
    /* RFC 3986: %2B is '+', and a plain '+' would stay a '+'. */
    ASSERT_STR_EQ(text, plain);
    tern_free(text);
    ASSERT_OK(tern_policy_text_decode(&text, "  {\"a\": \"%7B+\"}"));
    ASSERT_STR_EQ(text, "  {\"a\": \"%7B+\"}");
    tern_free(text);
    ASSERT_OK(tern_policy_canonical(&c1, encoded, NULL));
    ASSERT_OK(tern_policy_canonical(&c2, plain, NULL));
    ASSERT_STR_EQ(c1, c2);
    ASSERT_EQ(tern_policy_equivalent(encoded, plain), 1);
    ASSERT_EQ(tern_policy_text_decode(&text, "%7B%2"), TERN_EINVALID);
    ASSERT_EQ(tern_policy_lint("%7B%zz", NULL, &d), TERN_EINVALID);
    ASSERT_EQ(d.errors, 1);
    tern_diags_release(&d);
    tern_free(c1);
    tern_free(c2);
}

TEST(policy, normalize_rejects_non_policies)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    json_t *out = NULL;

    ASSERT_EQ(tern_policy_normalize(&out, "{\"Statement\": [", &d),
              TERN_EINVALID);
    ASSERT_NULL(out);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_EQ(d.items[0].detail,
                  "The policy document is not valid JSON: ']' expected near "
                  "end of file (line 1, column 15).");
    ASSERT_EQ(tern_policy_normalize(&out, "[1, 2]", &d), TERN_EINVALID);
    ASSERT_EQ(tern_policy_normalize(
                  &out,
                  "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":"
                  "\"arn:aws:iam::123456789012:root\",\"Action\":\"*\"}}",
                  &d),
              TERN_EINVALID);
    ASSERT_EQ(tern_policy_normalize(
                  &out,
                  "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[[\"a\"]]}"
                  "}",
                  &d),
              TERN_EINVALID);
    ASSERT_EQ(d.errors, 4);
    ASSERT_EQ(tern_policy_equivalent("not json", "{}"), -1);
    ASSERT_EQ(tern_policy_equivalent("{}", "{}"), 1);
    tern_diags_release(&d);
}

/* tern_policy_equiv_fn's answer, which must come with TERN_OK. */
static int equiv(const json_t *a, const json_t *b)
{
    int same = -1;

    ASSERT_OK(tern_policy_equiv_fn(&same, a, b));
    return same;
}

TEST(policy, equiv_fn_values)
{
    json_t *a = json_string("{\"Statement\":{\"Effect\":\"Allow\","
                            "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}");
    json_t *b = json_string("{\"Statement\":[{\"Resource\":[\"*\"],"
                            "\"Action\":[\"S3:GETOBJECT\"],\"Effect\":"
                            "\"Allow\"}]}");
    json_t *obj = json_loads("{\"Statement\":[{\"Effect\":\"Allow\","
                             "\"Action\":\"s3:getobject\",\"Resource\":"
                             "\"*\"}]}",
                             0, NULL);
    json_t *broken1 = json_string("{not json");
    json_t *broken2 = json_string("{not json");
    json_t *broken3 = json_string("{not json!");
    json_t *null = json_null();

    ASSERT_EQ(equiv(a, b), 1);
    ASSERT_EQ(equiv(a, obj), 1);
    ASSERT_EQ(equiv(obj, b), 1);
    /* Broken documents compare as values, so they still diff. */
    ASSERT_EQ(equiv(broken1, broken2), 1);
    ASSERT_EQ(equiv(broken1, broken3), 0);
    ASSERT_EQ(equiv(broken1, a), 0);
    ASSERT_EQ(equiv(null, NULL), 1);
    ASSERT_EQ(equiv(null, a), 0);
    ASSERT_EQ(equiv(NULL, a), 0);
    json_decref(a);
    json_decref(b);
    json_decref(obj);
    json_decref(broken1);
    json_decref(broken2);
    json_decref(broken3);
    json_decref(null);
}

TEST(policy, allocation_failures)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\","
        "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"123456789012\","
        "\"*\"]},\"Action\":[\"ecr:DescribeGitRepositories\",\"s3:Gte*\"],"
        "\"Resource\":[\"arn:aws:s3:::b\",\"bucket\"],\"Condition\":{"
        "\"Bool\":{\"aws:SecureTransport\":true}}},{\"Effect\":\"allow\"}]}";
    unsigned long n, total;
    char *c = NULL;
    int error;

    /* Count the allocations of a clean run, then fail each one in turn. */
    tern__alloc_fail_after(0);
    {
        struct tern_diags d = TERN_DIAGS_INIT;

        ASSERT_OK(tern_policy_canonical(&c, doc, NULL));
        tern_free(c);
        ASSERT_EQ(tern_policy_lint(doc, "main.tf", &d), TERN_EINVALID);
        tern_diags_release(&d);
    }
    total = tern__alloc_fail_after(0);
    ASSERT_CMP(total, >, 10);
    for (n = 1; n <= total; n++) {
        struct tern_diags d = TERN_DIAGS_INIT;

        tern__alloc_fail_after(n);
        c = NULL;
        error = tern_policy_canonical(&c, doc, NULL);
        ASSERT(error == TERN_OK || error == TERN_ENOMEM);
        ASSERT(error != TERN_OK || c != NULL);
        tern_free(c);
        error = tern_policy_lint(doc, "main.tf", &d);
        ASSERT(error == TERN_EINVALID || error == TERN_ENOMEM);
        tern__alloc_fail_after(0);
        tern_diags_release(&d);
    }
}

/* The canonical text with each allocation failing alone: the whole text
 * or out of memory, never a canonical form one member or character short,
 * which would make different policies equivalent (issue 20). */
TEST(policy, alloc_once_canonical)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\","
        "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"123456789012\","
        "\"*\"]},\"Action\":[\"ecr:DescribeGitRepositories\",\"s3:Get*\"],"
        "\"Resource\":[\"arn:aws:s3:::b\",\"bucket\"],\"Condition\":{"
        "\"NumericLessThan\":{\"s3:max-keys\":10.5}}},"
        "{\"Effect\":\"Deny\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]}";
    unsigned long n, total;
    char *want = NULL, *c;
    int error;

    tern__alloc_fail_after(0);
    ASSERT_OK(tern_policy_canonical(&want, doc, NULL));
    total = tern__alloc_fail_after(0);
    ASSERT_CMP(total, >, 10);
    for (n = 1; n <= total; n++) {
        c = NULL;
        tern__alloc_fail_once(n);
        error = tern_policy_canonical(&c, doc, NULL);
        tern__alloc_fail_after(0);
        if (error != TERN_ENOMEM && (error != TERN_OK || strcmp(c, want)))
            FAIL("allocation %lu of %lu failed: rc %d, %s\nnot\n%s", n, total,
                 error, c ? c : "(none)", want);
        tern_free(c);
    }
    tern_free(want);
}

/* ------------------------------------------------------------------ */
/* Lint                                                                */
/* ------------------------------------------------------------------ */

TEST(policy, lint_ecr_describe_git_repositories)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    const struct tern_diag *w;

    /* From a published version of the SageMaker setup guide. */
    ASSERT_OK(lint_one(&d, "ecr:DescribeGitRepositories",
                       "arn:aws:ecr:*:123456789012:repository/*"));
    ASSERT_EQ(d.count, 1);
    w = &d.items[0];
    ASSERT_EQ(w->severity, TERN_SEV_WARNING);
    ASSERT_STR_EQ(w->summary, "Unknown IAM action");
    ASSERT_STR_CONTAINS(w->detail, "\"ecr:DescribeGitRepositories\"");
    ASSERT_STR_CONTAINS(w->detail,
                        "Did you mean \"ecr:DescribeRepositories\"?");
    ASSERT_STR_CONTAINS(w->detail, "statement 1 in main.tf");
    tern_diags_release(&d);
}

TEST(policy, lint_accepts_real_actions)
{
    static const char *const ok[] = {
        "s3:PutObjectAcl",
        "iam:PassRole",
        "s3:Get*",
        "s3:ListBucket",
        "S3:LISTBUCKET",
        "sts:TagSession",
        "sts:AssumeRole",
        "s3:*",
        "*",
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "logs:CreateLogStream",
        "kms:Decrypt",
        "ec2:DescribeInstances",
        "sagemaker:InvokeEndpoint",
        "sagemaker:CreateModel",
        "s3:?etObject",
        "ecs:RunTask",
        "sns:Publish",
        "lambda:InvokeFunction",
        "elasticfilesystem:ClientMount",
        "s3-object-lambda:WriteGetObjectResponse",
    };
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct tern_diags d = TERN_DIAGS_INIT;

        ASSERT_OK(lint_one(&d, ok[i], "*"));
        if (d.count) {
            dump_diags(&d);
            FAIL("%s should lint clean", ok[i]);
        }
        tern_diags_release(&d);
    }
}

TEST(policy, lint_pattern_matching_nothing)
{
    struct tern_diags d = TERN_DIAGS_INIT;

    ASSERT_OK(lint_one(&d, "s3:Gte*", "*"));
    ASSERT_EQ(d.count, 1);
    ASSERT_EQ(d.items[0].severity, TERN_SEV_WARNING);
    ASSERT_STR_EQ(d.items[0].summary, "IAM action pattern matches nothing");
    ASSERT_STR_CONTAINS(d.items[0].detail, "Did you mean \"s3:Get*\"?");
    tern_diags_release(&d);
    ASSERT_OK(lint_one(&d, "kms:Zz*Qq", "*"));
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_CONTAINS(d.items[0].detail, "matches no kms action.");
    tern_diags_release(&d);
}

TEST(policy, lint_unknown_actions)
{
    struct tern_diags d = TERN_DIAGS_INIT;

    /* HeadObject is an API operation, but IAM checks s3:GetObject. */
    ASSERT_OK(lint_one(&d, "s3:HeadObject", "*"));
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Unknown IAM action");
    ASSERT_STR_CONTAINS(d.items[0].detail,
                        "is an API operation, not an IAM action: IAM "
                        "authorises HeadObject with \"s3:GetObject\".");
    tern_diags_release(&d);
    ASSERT_OK(lint_one(&d, "s3:copyobject", "*"));
    ASSERT_NOT_NULL(
        find_diag(&d, "with \"s3:GetObject\" and \"s3:PutObject\"."));
    tern_diags_release(&d);
    ASSERT_OK(lint_one(&d, "iam:PasRole", "*"));
    ASSERT_NOT_NULL(find_diag(&d, "Did you mean \"iam:PassRole\"?"));
    tern_diags_release(&d);
    ASSERT_OK(lint_one(&d, "sagemaker:CreateTrainingJobs", "*"));
    ASSERT_NOT_NULL(
        find_diag(&d, "Did you mean \"sagemaker:CreateTrainingJob\"?"));
    tern_diags_release(&d);
    /* Nothing close: a warning without a guess. */
    ASSERT_OK(lint_one(&d, "sts:Xyzzy", "*"));
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_NOT_CONTAINS(d.items[0].detail, "Did you mean");
    tern_diags_release(&d);
    /* Not of the form service:action: IAM refuses it. */
    ASSERT_EQ(lint_one(&d, "s3GetObject", "*"), TERN_EINVALID);
    ASSERT_EQ(d.errors, 1);
    tern_diags_release(&d);
}

TEST(policy, lint_service_prefix_typo)
{
    struct tern_diags d = TERN_DIAGS_INIT;

    ASSERT_OK(lint_one(&d, "sagemkaer:CreateModel", "*"));
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Unknown IAM service prefix");
    ASSERT_STR_CONTAINS(d.items[0].detail, "Did you mean \"sagemaker\"?");
    tern_diags_release(&d);
    ASSERT_OK(lint_one(&d, "cloudwatc:PutMetricData", "*"));
    ASSERT_NOT_NULL(find_diag(&d, "Did you mean \"cloudwatch\"?"));
    tern_diags_release(&d);
    /* Real services one edit from a catalogued one are left alone. */
    ASSERT_OK(lint_one(&d, "ecs:RunTask", "*"));
    ASSERT_OK(lint_one(&d, "ses:SendEmail", "*"));
    ASSERT_OK(lint_one(&d, "sqs:SendMessage", "*"));
    ASSERT_EQ(d.count, 0);
    tern_diags_release(&d);
}

TEST(policy, lint_malformed_arns)
{
    static const char *const bad[] = {
        "bucket-name",
        "arn:aws:s3:bucket",
        "arn:aws:iam::12345:role/x",
        "arn:amazon:s3:::bucket",
        "arn::s3:::bucket",
        "arn:aws:ecr:*:<account-id>:repository/*",
        "arn:aws:s3:::",
        "arn:aws::us-east-1:123456789012:thing",
    };
    static const char *const good[] = {
        "*",
        "arn:aws:s3:::mlflow-sagemaker-*-123456789012",
        "arn:aws:s3:::mlflow-sagemaker-*-123456789012/*",
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        "arn:aws:iam::*:role/x",
        "arn:aws-cn:s3:::bucket",
        "arn:*:s3:::bucket",
        "arn:aws:s3:::bucket/${aws:username}/*",
        "arn:aws:iam::${aws:PrincipalAccount}:role/x",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/*:*",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tern_diags d = TERN_DIAGS_INIT;

        ASSERT_OK(lint_one(&d, "s3:GetObject", bad[i]));
        if (d.count != 1 || strcmp(d.items[0].summary, "Malformed ARN")) {
            dump_diags(&d);
            FAIL("%s should be one Malformed ARN warning", bad[i]);
        }
        ASSERT_EQ(d.items[0].severity, TERN_SEV_WARNING);
        tern_diags_release(&d);
    }
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct tern_diags d = TERN_DIAGS_INIT;

        ASSERT_OK(lint_one(&d, "s3:GetObject", good[i]));
        if (d.count) {
            dump_diags(&d);
            FAIL("%s should lint clean", good[i]);
        }
        tern_diags_release(&d);
    }
}

TEST(policy, lint_effect)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    const struct tern_diag *e;

    ASSERT_EQ(tern_policy_lint("{\"Version\":\"2012-10-17\",\"Statement\":"
                               "[{\"Effect\":\"allow \",\"Action\":"
                               "\"s3:GetObject\",\"Resource\":\"*\"}]}",
                               NULL, &d),
              TERN_EINVALID);
    ASSERT_EQ(d.count, 1);
    e = &d.items[0];
    ASSERT_EQ(e->severity, TERN_SEV_ERROR);
    ASSERT_STR_EQ(e->summary, "Invalid Effect");
    ASSERT_STR_CONTAINS(e->detail, "\"allow \"");
    tern_diags_release(&d);
    ASSERT_EQ(tern_policy_lint("{\"Statement\":[{\"Sid\":\"NoEffect\","
                               "\"Action\":\"s3:GetObject\",\"Resource\":"
                               "\"*\"}]}",
                               NULL, &d),
              TERN_EINVALID);
    ASSERT_NOT_NULL(find_diag(&d, "statement 1 (Sid \"NoEffect\") has no "
                                  "Effect"));
    tern_diags_release(&d);
}

TEST(policy, lint_empty_statements)
{
    struct tern_diags d = TERN_DIAGS_INIT;

    ASSERT_EQ(tern_policy_lint("{\"Version\":\"2012-10-17\",\"Statement\":"
                               "[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                               "\"Resource\":\"*\"},{}]}",
                               "main.tf", &d),
              TERN_EINVALID);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Empty policy statement");
    ASSERT_STR_CONTAINS(d.items[0].detail, "statement 2 in main.tf");
    tern_diags_release(&d);
    ASSERT_EQ(tern_policy_lint("{\"Statement\":{\"Effect\":\"Allow\","
                               "\"Resource\":\"*\"}}",
                               NULL, &d),
              TERN_EINVALID);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Policy statement without actions");
    tern_diags_release(&d);
    ASSERT_EQ(tern_policy_lint("{\"Version\":\"2012-10-17\"}", "x.tf", &d),
              TERN_EINVALID);
    ASSERT_STR_EQ(d.items[0].summary, "Policy without statements");
    ASSERT_EQ(tern_policy_lint("{\"Statement\":[]}", NULL, &d), TERN_EINVALID);
    ASSERT_EQ(d.errors, 2);
    tern_diags_release(&d);
}

TEST(policy, lint_sagemaker_guide_policy_clean)
{
    /*
     * The inline policy of the SageMaker/MLflow setup guide, with the
     * placeholders filled in, and the role's trust policy.
     */
    static const char inline_policy[] =
        "{\n"
        "  \"Version\": \"2012-10-17\",\n"
        "  \"Statement\": [\n"
        "    {\n"
        "      \"Effect\": \"Allow\",\n"
        "      \"Action\": [\"s3:PutObjectAcl\", \"s3:PutObjectTagging\"],\n"
        "      \"Resource\": [\n"
        "        \"arn:aws:s3:::mlflow-sagemaker-*-123456789012\",\n"
        "        \"arn:aws:s3:::mlflow-sagemaker-*-123456789012/*\"\n"
        "      ]\n"
        "    },\n"
        "    {\n"
        "      \"Effect\": \"Allow\",\n"
        "      \"Action\": [\"iam:GetRole\"],\n"
        "      \"Resource\": \"arn:aws:iam::123456789012:role/"
        "sagemaker-mlflow-role\"\n"
        "    },\n"
        "    {\n"
        "      \"Effect\": \"Allow\",\n"
        "      \"Action\": [\"ecr:DescribeRepositories\"],\n"
        "      \"Resource\": \"arn:aws:ecr:*:123456789012:repository/*\"\n"
        "    }\n"
        "  ]\n"
        "}\n";
    static const char trust[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"sagemaker.amazonaws.com\"},\"Action\":"
        "\"sts:AssumeRole\"}]}";
    struct tern_diags d = TERN_DIAGS_INIT;

    ASSERT_OK(tern_policy_lint(inline_policy, "sagemaker.tf", &d));
    ASSERT_OK(tern_policy_lint(trust, "sagemaker.tf", &d));
    if (d.count)
        dump_diags(&d);
    ASSERT_EQ(d.count, 0);
    tern_diags_release(&d);
}

/* ------------------------------------------------------------------ */
/* Catalogue                                                           */
/* ------------------------------------------------------------------ */

TEST(policy, catalogue_sorted)
{
    size_t i;

    for (i = 1; i < tern__policy_renames_count; i++)
        if (strcasecmp(tern__policy_renames[i - 1].operation,
                       tern__policy_renames[i].operation) >= 0)
            FAIL("renames out of order at %zu: %s, %s", i,
                 tern__policy_renames[i - 1].operation,
                 tern__policy_renames[i].operation);
    /* A renamed operation is never also an action. */
    for (i = 0; i < tern__policy_renames_count; i++)
        ASSERT_EQ(tern_policy_action_known(tern__policy_renames[i].operation),
                  0);
    ASSERT_CMP(tern__policy_actions_count, >, 1000);
    for (i = 1; i < tern__policy_actions_count; i++)
        if (strcasecmp(tern__policy_actions[i - 1], tern__policy_actions[i]) >=
            0)
            FAIL("catalogue out of order or duplicated at %zu: %s, %s", i,
                 tern__policy_actions[i - 1], tern__policy_actions[i]);
    for (i = 1; i < tern__policy_prefixes_count; i++)
        if (strcmp(tern__policy_prefixes[i - 1], tern__policy_prefixes[i]) >= 0)
            FAIL("prefixes out of order at %zu: %s, %s", i,
                 tern__policy_prefixes[i - 1], tern__policy_prefixes[i]);
}

TEST(policy, catalogue_has_sagemaker_setup_actions)
{
    /* Every action the SageMaker/MLflow deployment's policies use. */
    static const char *const used[] = {
        "s3:PutObjectAcl",
        "s3:PutObjectTagging",
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:DeleteObject",
        "s3:ListAllMyBuckets",
        "s3:GetObjectAcl",
        "s3:GetObjectTagging",
        "s3:AbortMultipartUpload",
        "s3:ListBucketMultipartUploads",
        "iam:GetRole",
        "iam:PassRole",
        "sts:AssumeRole",
        "sts:GetCallerIdentity",
        "ecr:DescribeRepositories",
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "sagemaker:CreateModel",
        "sagemaker:CreateEndpoint",
        "sagemaker:CreateEndpointConfig",
        "sagemaker:InvokeEndpoint",
        "sagemaker:DescribeEndpoint",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "cloudwatch:PutMetricData",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeVpcs",
    };
    size_t i;

    for (i = 0; i < sizeof(used) / sizeof(used[0]); i++)
        if (tern_policy_action_known(used[i]) != 1)
            FAIL("%s is missing from the catalogue", used[i]);
    ASSERT_EQ(tern_policy_action_known("ecr:DescribeGitRepositories"), 0);
    ASSERT_EQ(tern_policy_action_known("s3:Gte*"), 0);
    ASSERT_EQ(tern_policy_action_known("s3:get*"), 1);
    ASSERT_EQ(tern_policy_action_known("lambda:InvokeFunction"), -1);
    ASSERT_EQ(tern_policy_action_known("nocolon"), -1);
}

/* The same policy document twice: as written, and as IAM gives it back
 * (reformatted, the action in a list). */
static const char doc_written[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
static const char doc_read[] =
    "{\"Statement\": [{\"Resource\": \"*\", \"Action\": "
    "[\"s3:GetObject\"], \"Effect\": \"Allow\"}], "
    "\"Version\": \"2012-10-17\"}";

/* tern_policy_equiv_fn with each allocation failing alone: equivalent,
 * or out of memory, never "not equivalent" (issue 20: the contract had
 * no way to say out of memory, and the plan showed a difference). */
TEST(policy, equiv_fn_alloc_once)
{
    json_t *a = json_string(doc_written), *b = json_string(doc_read);
    unsigned long n, total;
    int rc, same = 0, ooms = 0;

    ASSERT_NOT_NULL(a);
    ASSERT_NOT_NULL(b);
    tern__alloc_fail_after(0);
    ASSERT_OK(tern_policy_equiv_fn(&same, a, b));
    total = tern__alloc_fail_after(0);
    ASSERT_EQ(same, 1);
    ASSERT_CMP(total, >, 10);
    for (n = 1; n <= total; n++) {
        same = -1;
        tern__alloc_fail_once(n);
        rc = tern_policy_equiv_fn(&same, a, b);
        tern__alloc_fail_after(0);
        if (rc == TERN_ENOMEM) {
            ooms++;
            continue;
        }
        if (rc != TERN_OK || same != 1)
            FAIL("allocation %lu of %lu failed: rc %d, equivalent %d", n, total,
                 rc, same);
    }
    ASSERT_CMP(ooms, >, 0);
    json_decref(a);
    json_decref(b);
}

/* The planner's diff (tern__plan_object) over a prior whose policy the
 * configuration writes differently, with each allocation failing alone:
 * no change and the prior's text kept, or out of memory; a failed
 * equivalence showed as a change to apply (issue 20). */
TEST(policy, plan_object_equiv_alloc_once)
{
    static const tern_attr schema[] = {{"policy", TERN_TYPE_STRING,
                                        TERN_ATTR_REQUIRED,
                                        tern_policy_equiv_fn, NULL, 0},
                                       {NULL, 0, 0, NULL, NULL, 0}};
    json_t *jc = json_pack("{s:s}", "policy", doc_written);
    json_t *jp = json_pack("{s:s}", "policy", doc_read);
    tern_value *cfg, *prior, *out = NULL;
    char **paths = NULL;
    size_t npaths = 0;
    unsigned long n, total;
    int rc, changed, replace;

    ASSERT_NOT_NULL(jc);
    ASSERT_NOT_NULL(jp);
    cfg = tern_value_from_json(jc);
    prior = tern_value_from_json(jp);
    ASSERT_NOT_NULL(cfg);
    ASSERT_NOT_NULL(prior);
    tern__alloc_fail_after(0);
    ASSERT_OK(tern__plan_object(schema, NULL, cfg, prior, 0, &out, &changed,
                                &replace, &paths, &npaths));
    total = tern__alloc_fail_after(0);
    ASSERT_EQ(changed, 0);
    ASSERT_TRUE(tern_value_equal(out, prior));
    tern_value_decref(out);
    for (n = 1; n <= total; n++) {
        out = NULL;
        tern__alloc_fail_once(n);
        rc = tern__plan_object(schema, NULL, cfg, prior, 0, &out, &changed,
                               &replace, &paths, &npaths);
        tern__alloc_fail_after(0);
        if (rc == TERN_OK && (changed || !tern_value_equal(out, prior)))
            FAIL("allocation %lu of %lu failed, yet the plan changes the "
                 "policy",
                 n, total);
        if (rc != TERN_OK && rc != TERN_ENOMEM)
            FAIL("allocation %lu of %lu failed: rc %d", n, total, rc);
        tern_value_decref(out);
    }
    ASSERT_EQ(npaths, 0);
    tern_free(paths);
    tern_value_decref(cfg);
    tern_value_decref(prior);
    json_decref(jc);
    json_decref(jp);
}

const struct tern_test test_policy_list[] = {
    TEST_UNIT(policy, pairs),
    TEST_UNIT(policy, pairs_tf_21968),
    TEST_UNIT(policy, canonical_form),
    TEST_UNIT(policy, url_encoded_as_iam_returns),
    TEST_UNIT(policy, normalize_rejects_non_policies),
    TEST_UNIT(policy, equiv_fn_values),
    TEST_UNIT(policy, equiv_fn_alloc_once),
    TEST_UNIT(policy, plan_object_equiv_alloc_once),
    TEST_UNIT(policy, allocation_failures),
    TEST_UNIT(policy, alloc_once_canonical),
    TEST_UNIT(policy, lint_ecr_describe_git_repositories),
    TEST_UNIT(policy, lint_accepts_real_actions),
    TEST_UNIT(policy, lint_pattern_matching_nothing),
    TEST_UNIT(policy, lint_unknown_actions),
    TEST_UNIT(policy, lint_service_prefix_typo),
    TEST_UNIT(policy, lint_malformed_arns),
    TEST_UNIT(policy, lint_effect),
    TEST_UNIT(policy, lint_empty_statements),
    TEST_UNIT(policy, lint_sagemaker_guide_policy_clean),
    TEST_UNIT(policy, catalogue_sorted),
    TEST_UNIT(policy, catalogue_has_sagemaker_setup_actions),
    TEST_END};
