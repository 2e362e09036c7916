/*
 * Private to tern-sim's IAM service (iam*.c): the store's types and the
 * helpers the files share. See iam.c for the model (eventual consistency,
 * accounts, markers) and the JSON shape of dump/load.
 */
#ifndef TERN_SIM_IAM_H
#define TERN_SIM_IAM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define IAM_ARN_MIN 20
#define IAM_ARN_MAX 2048

/* Quotas and limits, as IAM documents them. */
#define IAM_ROLE_NAME_MAX         64
#define IAM_PROFILE_NAME_MAX      128
#define IAM_POLICY_NAME_MAX       128
#define IAM_PATH_MAX              512
#define IAM_DESCRIPTION_MAX       1000
#define IAM_TAGS_MAX              50
#define IAM_TAG_KEY_MAX           128
#define IAM_TAG_VALUE_MAX         256
#define IAM_MANAGED_PER_ROLE      10
#define IAM_INLINE_BYTES_PER_ROLE 10240
#define IAM_TRUST_BYTES           2048
#define IAM_POLICY_DOC_MAX        131072
#define IAM_SESSION_MIN           3600
#define IAM_SESSION_MAX           43200
#define IAM_MAX_ITEMS_DEFAULT     100
#define IAM_MAX_ITEMS_LIMIT       1000
#define IAM_ROLES_PER_PROFILE     1
/* Customer managed policies: versions kept at once, and the size of a
 * document in characters without whitespace. */
#define IAM_POLICY_VERSIONS_MAX 5
#define IAM_MANAGED_POLICY_SIZE 6144

/*
 * A string whose latest value propagates: readers before visible_at see
 * prev (NULL: nothing, the object does not exist yet for them).
 */
struct iam_ver {
    char *cur;
    char *prev;
    int64_t visible_at;
};

struct iam_tag {
    char *key;
    char *value;
};

struct iam_tags {
    struct iam_tag *items;
    size_t n;
};

struct iam_inline {
    char *name;
    struct iam_ver doc;
};

struct iam_attach {
    char *arn;
    int64_t visible_at;
};

struct iam_role {
    char *account;
    char *name;
    char *path;
    char *id;
    char *arn;
    int64_t create_ms;
    int64_t visible_at;
    struct iam_ver trust;
    struct iam_ver description; /* NULL: none */
    int max_session, prev_max_session;
    int64_t max_session_visible_at;
    char *boundary; /* permissions boundary policy ARN, or NULL */
    struct iam_tags tags;
    struct iam_inline *inl;
    size_t ninl;
    struct iam_attach *att;
    size_t natt;
};

struct iam_profile {
    char *account;
    char *name;
    char *path;
    char *id;
    char *arn;
    int64_t create_ms;
    int64_t visible_at;
    struct iam_tags tags;
    char *role; /* the role's name (IAM allows one role), or NULL */
    int64_t role_visible_at;
};

/* One version of a managed policy. */
struct iam_policy_version {
    char *id; /* "v1", "v2", ...: never reused within a policy */
    char *document;
    int64_t create_ms;
};

/* A managed policy: AWS's catalogue (account "aws") or customer's. */
struct iam_policy {
    char *account;
    char *name;
    char *path;
    char *id;
    char *arn;
    char *description;
    struct iam_policy_version *versions; /* in the order created */
    size_t nversions;
    char *default_version;
    int next_version; /* the number of the next version's id */
    struct iam_tags tags;
    int64_t create_ms;
    int64_t update_ms;
    int64_t visible_at;
    int attachable;
};
struct sim_iam {
    struct sim *sim;
    struct iam_role **roles;
    size_t nroles, roles_alloc;
    struct iam_profile **profiles;
    size_t nprofiles, profiles_alloc;
    struct iam_policy **policies;
    size_t npolicies, policies_alloc;
    /* Actions every caller is refused (AccessDenied), as for a principal
     * without that permission: "denied_actions" of /_sim/load. */
    char **denied;
    size_t ndenied;
};

/* One request being served. */
struct iam_ctx {
    struct sim_iam *iam;
    struct sim_req *req;
    struct sim_resp *resp;
    const char *action;
    const char *account;
    int64_t now;
};

/*
 * Memory. tern-sim is a test tool: on allocation failure it aborts rather
 * than leave its store half-changed, which keeps every handler straight.
 */
void *iam_alloc(size_t n);
void *iam_grow(void *p, size_t n);
char *iam_dup(const char *s);
char *iam_dupn(const char *s, size_t n);
char *iam_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void iam_push(void ***items, size_t *n, size_t *alloc, void *item);
/* Remove item from the array, keeping the order of the rest. */
void iam_remove(void **items, size_t *n, void *item);
/* Lower-case copy, for sort keys. */
char *iam_lower(const char *s);
/* Sort an array of keys (strcmp); items are permuted alike. */
void iam_sort(const char **keys, void **items, size_t n);
/* Whether "denied_actions" names @action (see iam.c). */
int iam_denied(const struct sim_iam *iam, const char *action);
/* Forget "denied_actions". */
void iam_denied_clear(struct sim_iam *iam);

/* Versioned strings. */
const char *iam_ver_get(const struct iam_ver *v, int64_t now);
/* Set a new value (copied; NULL allowed) that shows from visible_at. */
void iam_ver_set(struct iam_ver *v, const char *value, int64_t now,
                 int64_t visible_at);
void iam_ver_release(struct iam_ver *v);

/* Store. Lookups honour visibility at now unless now < 0 (physical). */
struct iam_role *iam_role_find(struct sim_iam *iam, const char *account,
                               const char *name, int64_t now);
struct iam_profile *iam_profile_find(struct sim_iam *iam, const char *account,
                                     const char *name, int64_t now);
struct iam_policy *iam_policy_find(struct sim_iam *iam, const char *arn);
/* A policy's version by id, or NULL. */
struct iam_policy_version *iam_policy_version(const struct iam_policy *p,
                                              const char *id);
/* The document of the policy's default version. */
const char *iam_policy_document(const struct iam_policy *p);
/* Add a version (document copied) numbered next_version; returns it. */
struct iam_policy_version *iam_policy_add_version(struct iam_policy *p,
                                                  const char *document,
                                                  int64_t create_ms);
/* The role this ARN names (path included), visible at now; or NULL. */
struct iam_role *iam_role_by_arn(struct sim_iam *iam, const char *arn,
                                 int64_t now);
/* A well-formed managed policy ARN (arn:aws:iam::{aws|ACCT}:policy/...). */
int iam_policy_arn_valid(const char *arn);
/* Lookups that send NoSuchEntity when the object is not visible. */
struct iam_role *iam_need_role(struct iam_ctx *c, const char *name);
struct iam_profile *iam_need_profile(struct iam_ctx *c, const char *name);
void iam_role_free(struct iam_role *r);
void iam_profile_free(struct iam_profile *p);
void iam_policy_free(struct iam_policy *p);
void iam_tags_release(struct iam_tags *t);
/* Add or replace a tag; keys are compared case-insensitively. */
void iam_tags_set(struct iam_tags *t, const char *key, const char *value);
/* A fresh unique id: prefix + 17 upper-case letters and digits. */
char *iam_new_id(struct sim_iam *iam, const char *prefix);
/* ISO 8601 UTC, "2026-11-28T00:00:00Z". */
void iam_fmt_time(char *out, size_t len, int64_t ms);
/* Parse the same (also with fractions); -1 on error. */
int64_t iam_parse_time(const char *s);
/* How many roles of account attach (or use as boundary) this policy,
 * counting only what is visible at now (INT64_MAX: everything). */
int iam_policy_attachments(struct sim_iam *iam, const char *account,
                           const char *arn, int64_t now, int boundary);

/* Responses. */
void iam_error(struct iam_ctx *c, int status, const char *code, const char *fmt,
               ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void iam_begin(struct iam_ctx *c, int result);
void iam_end(struct iam_ctx *c, int result);
void iam_no_such_role(struct iam_ctx *c, const char *name);
void iam_no_such_profile(struct iam_ctx *c, const char *name);
/* Append <tag>url-encoded text</tag>. */
void iam_xml_doc(tern_buf *b, const char *tag, const char *doc);
void iam_xml_int(tern_buf *b, const char *tag, long long v);
void iam_xml_time(tern_buf *b, const char *tag, int64_t ms);
void iam_xml_tags(tern_buf *b, const struct iam_tags *t);

enum iam_role_view {
    IAM_ROLE_LIST,   /* ListRoles, roles inside an instance profile */
    IAM_ROLE_CREATE, /* CreateRole: tags and boundary when set */
    IAM_ROLE_GET     /* GetRole: everything */
};
void iam_xml_role(tern_buf *b, const struct iam_role *r, int64_t now,
                  enum iam_role_view view);
void iam_xml_profile(struct sim_iam *iam, tern_buf *b,
                     const struct iam_profile *p, int64_t now);
/* <Policy> as CreatePolicy answers it (iam_catalog.c). */
void iam_xml_policy(struct iam_ctx *c, tern_buf *b, const struct iam_policy *p);
/* The members of a <PolicyVersion>, with its Document when @document. */
void iam_xml_policy_version(tern_buf *b, const struct iam_policy *p,
                            const struct iam_policy_version *v, int document);

/*
 * Validation (iam_validate.c). A ValidationError collects every failed
 * constraint of one request, as AWS does: "2 validation errors detected:
 * Value 'x' at 'roleName' failed to satisfy constraint: ...; Value ...".
 */
struct iam_verr {
    tern_buf msg;
    int n;
};
#define IAM_VERR_INIT                                                          \
    {                                                                          \
        TERN_BUF_INIT, 0                                                       \
    }
/* The usual parameters: RoleName, InstanceProfileName, PolicyName, Path. */
void iam_check_role_name(struct iam_verr *v, const char *name);
void iam_check_profile_name(struct iam_verr *v, const char *name);
void iam_check_policy_name(struct iam_verr *v, const char *name);
void iam_check_path(struct iam_verr *v, const char *path, const char *field);
/* PolicyDocument and AssumeRolePolicyDocument parameters. */
void iam_check_doc(struct iam_verr *v, const char *doc, const char *field);
void iam_check_arn(struct iam_verr *v, const char *arn, const char *field);
void iam_verr_add(struct iam_verr *v, const char *value, const char *field,
                  const char *constraint);
/* Send the ValidationError if any constraint failed; 1 if sent. */
int iam_verr_send(struct iam_ctx *c, struct iam_verr *v);

enum iam_pattern {
    IAM_PAT_NAME,        /* [\w+=,.@-]+ */
    IAM_PAT_POLICY_PATH, /* ((/[A-Za-z0-9\.,\+@=_-]+)*)/ */
    IAM_PAT_PATH,        /* (\u002F)|(\u002F[\u0021-\u007E]+\u002F) */
    IAM_PAT_PATH_PREFIX, /* \u002F[\u0021-\u007F]* */
    IAM_PAT_DESCRIPTION, /* [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]* */
    IAM_PAT_POLICY_DOC,  /* [\u0009\u000A\u000D\u0020-\u00FF]+ */
    IAM_PAT_TAG_KEY,     /* [\p{L}\p{Z}\p{N}_.:/=+\-@]+ */
    IAM_PAT_TAG_VALUE,   /* [\p{L}\p{Z}\p{N}_.:/=+\-@]* */
    IAM_PAT_MARKER,      /* [\u0020-\u00FF]+ */
    IAM_PAT_NONE
};
/*
 * Check a string parameter: required (NULL fails "must not be null"),
 * length in characters [min, max], pattern. Returns 1 when it passed.
 */
int iam_check_str(struct iam_verr *v, const char *value, const char *field,
                  int required, size_t min, size_t max, enum iam_pattern pat);
/* Integer parameter in [min, max]; absent is fine. *out unchanged then. */
int iam_check_int(struct iam_verr *v, const char *value, const char *field,
                  long min, long max, long *out);

/*
 * Tags from Tags.member.N.Key/Value, as sent (duplicates kept), into t;
 * their constraints into v.
 */
void iam_parse_tags(struct iam_ctx *c, struct iam_verr *v, struct iam_tags *t);
/* TagKeys.member.N into a NULL-terminated array (free with iam_strv_free). */
char **iam_parse_tag_keys(struct iam_ctx *c, struct iam_verr *v);
void iam_strv_free(char **strv);
/*
 * The checks IAM makes after the constraints: reserved "aws:" keys and
 * duplicate keys (ignoring case) give InvalidInput. -1 after sending it.
 */
int iam_tags_check(struct iam_ctx *c, const struct iam_tags *t);

enum iam_doc_kind { IAM_DOC_TRUST, IAM_DOC_IDENTITY };
/*
 * Check a policy document's grammar as IAM does (after the parameter's
 * own constraints). Returns 0, or sends the error (MalformedPolicyDocument;
 * LimitExceeded for a trust policy over its quota) and returns -1.
 */
int iam_check_policy(struct iam_ctx *c, const char *doc,
                     enum iam_doc_kind kind);
/* A policy version id: v[1-9][0-9]*(\.[A-Za-z0-9-]*)? ("versionId"). */
void iam_check_version_id(struct iam_verr *v, const char *id);
/* Characters of a document as IAM counts them (whitespace not counted). */
size_t iam_policy_size(const char *doc);

/* Paging: MaxItems and Marker for a List* request. */
struct iam_page {
    long max_items;
    char *after; /* decoded marker: resume at the first key >= this */
    int bad;     /* the marker is not one of ours */
};
/* Parse MaxItems and Marker; their constraints into v. */
void iam_page_params(struct iam_ctx *c, struct iam_verr *v, struct iam_page *p);
/* After iam_verr_send: send the error for a foreign marker; 1 if sent. */
int iam_page_bad(struct iam_ctx *c, const struct iam_page *p);
void iam_page_release(struct iam_page *p);
/*
 * Given n sorted keys, the range [*start, *end) for this page. Writes
 * IsTruncated and Marker (when truncated) to b after the caller's list.
 */
void iam_page_range(const struct iam_page *p, const char *const *keys, size_t n,
                    size_t *start, size_t *end);
void iam_page_finish(tern_buf *b, const struct iam_page *p,
                     const char *const *keys, size_t n, size_t end);

/* Actions: iam_role.c, iam_profile.c, iam_catalog.c. */
void iam_create_role(struct iam_ctx *c);
void iam_tag_instance_profile(struct iam_ctx *c);
void iam_untag_instance_profile(struct iam_ctx *c);
void iam_put_role_permissions_boundary(struct iam_ctx *c);
void iam_delete_role_permissions_boundary(struct iam_ctx *c);
void iam_get_role(struct iam_ctx *c);
void iam_update_role(struct iam_ctx *c);
void iam_update_assume_role_policy(struct iam_ctx *c);
void iam_delete_role(struct iam_ctx *c);
void iam_tag_role(struct iam_ctx *c);
void iam_untag_role(struct iam_ctx *c);
void iam_list_role_tags(struct iam_ctx *c);
void iam_list_roles(struct iam_ctx *c);
void iam_attach_role_policy(struct iam_ctx *c);
void iam_detach_role_policy(struct iam_ctx *c);
void iam_list_attached_role_policies(struct iam_ctx *c);
void iam_put_role_policy(struct iam_ctx *c);
void iam_get_role_policy(struct iam_ctx *c);
void iam_delete_role_policy(struct iam_ctx *c);
void iam_list_role_policies(struct iam_ctx *c);
void iam_create_instance_profile(struct iam_ctx *c);
void iam_get_instance_profile(struct iam_ctx *c);
void iam_delete_instance_profile(struct iam_ctx *c);
void iam_add_role_to_instance_profile(struct iam_ctx *c);
void iam_remove_role_from_instance_profile(struct iam_ctx *c);
void iam_list_instance_profiles_for_role(struct iam_ctx *c);
void iam_list_instance_profiles(struct iam_ctx *c);
void iam_get_policy(struct iam_ctx *c);
void iam_get_policy_version(struct iam_ctx *c);
void iam_list_policies(struct iam_ctx *c);
void iam_get_account_authorization_details(struct iam_ctx *c);
/* Customer managed policies (iam_policy.c). */
void iam_create_policy(struct iam_ctx *c);
void iam_delete_policy(struct iam_ctx *c);
void iam_create_policy_version(struct iam_ctx *c);
void iam_delete_policy_version(struct iam_ctx *c);
void iam_set_default_policy_version(struct iam_ctx *c);
void iam_list_policy_versions(struct iam_ctx *c);
void iam_tag_policy(struct iam_ctx *c);
void iam_untag_policy(struct iam_ctx *c);
void iam_list_policy_tags(struct iam_ctx *c);
void iam_list_entities_for_policy(struct iam_ctx *c);
/*
 * The customer managed policy @arn names, visible to the caller; else
 * the error sent (InvalidInput for a malformed ARN, NoSuchEntity) and
 * NULL.
 */
struct iam_policy *iam_need_policy(struct iam_ctx *c, const char *arn);

/*
 * Tags of any taggable object: the object's tags come from have_tags_of,
 * which sends NoSuchEntity and returns NULL when it is not there. TagX adds
 * or replaces (at most 50 in all), UntagX ignores keys that are not there,
 * ListXTags pages them by key. v holds the object's own parameter checks.
 */
typedef struct iam_tags *iam_tags_of_fn(struct iam_ctx *c);
void iam_tag_object(struct iam_ctx *c, struct iam_verr *v,
                    iam_tags_of_fn *have_tags_of);
void iam_untag_object(struct iam_ctx *c, struct iam_verr *v,
                      iam_tags_of_fn *have_tags_of);
void iam_list_tags(struct iam_ctx *c, struct iam_verr *v,
                   iam_tags_of_fn *have_tags_of);

/* The AWS managed policy catalogue (iam_catalog.c), added on reset. */
void iam_catalog_load(struct sim_iam *iam);

#endif
