/*
 * Managed policies: a catalogue of AWS managed policies (the ones tern's
 * examples and tests attach, plus common ones), customer managed
 * policies from sim_iam_load, GetPolicy, and
 * GetAccountAuthorizationDetails.
 *
 * The catalogue's ids, version ids and dates look like AWS's and are
 * stable, but are not a copy of AWS's: only their shape matters. Its
 * documents are short stand-ins. One policy of the aws-service-role path
 * is not attachable, as service-linked role policies are not.
 *
 * GetAccountAuthorizationDetails lists, as IAM does, every customer
 * managed policy of the account but only the AWS managed policies that
 * are attached to something in it. The account has no users or groups.
 */
#include "iam.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct catalog_entry {
    const char *name;
    const char *path;
    const char *id;
    const char *version;
    const char *created;
    const char *updated;
    int attachable;
    const char *description;
    const char *document;
};

#define DOC_ALL                                                                \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define DOC_ACTIONS(actions)                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":[" actions "],\"Resource\":\"*\"}]}"

static const struct catalog_entry catalog[] = {
    {"AdministratorAccess", "/", "ANPAIWMBCKSKIEE64ZLYK", "v1",
     "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z", 1,
     "Provides full access to AWS services and resources.", DOC_ALL},
    {"AmazonEC2ContainerRegistryFullAccess", "/", "ANPAIESRL7KD7IIVF6V4W", "v3",
     "2015-12-21T17:06:48Z", "2021-07-23T16:34:12Z", 1,
     "Provides administrative access to Amazon ECR resources",
     DOC_ACTIONS("\"ecr:*\",\"cloudtrail:LookupEvents\"")},
    {"AmazonEC2ContainerRegistryReadOnly", "/", "ANPAIFYZPA37OOHVIH7KQ", "v3",
     "2015-12-21T17:04:48Z", "2019-12-10T20:56:32Z", 1,
     "Provides read-only access to Amazon EC2 Container Registry "
     "repositories.",
     DOC_ACTIONS("\"ecr:GetAuthorizationToken\",\"ecr:BatchGetImage\","
                 "\"ecr:GetDownloadUrlForLayer\",\"ecr:DescribeImages\"")},
    {"AmazonS3FullAccess", "/", "ANPAIFIR6V6BVTRAHWINE", "v2",
     "2015-02-06T18:40:58Z", "2021-09-27T20:16:37Z", 1,
     "Provides full access to all buckets via the AWS Management Console.",
     DOC_ACTIONS("\"s3:*\",\"s3-object-lambda:*\"")},
    {"AmazonS3ReadOnlyAccess", "/", "ANPAIZTJ4DXE7G6AGAE6M", "v3",
     "2015-02-06T18:40:59Z", "2023-08-10T21:31:39Z", 1,
     "Provides read only access to all buckets via the AWS Management "
     "Console.",
     DOC_ACTIONS("\"s3:Get*\",\"s3:List*\",\"s3:Describe*\"")},
    {"AmazonSSMManagedInstanceCore", "/", "ANPAXQ2YWSM6HEGNQLYHK", "v2",
     "2019-03-15T17:22:12Z", "2023-05-10T17:11:30Z", 1,
     "The policy for Amazon EC2 Role to enable AWS Systems Manager service "
     "core functionality.",
     DOC_ACTIONS("\"ssm:UpdateInstanceInformation\",\"ssmmessages:*\","
                 "\"ec2messages:*\"")},
    {"AmazonSageMakerFullAccess", "/", "ANPAJZ5IWYMXO5QDB4QOG", "v27",
     "2017-11-29T23:33:10Z", "2024-05-31T17:08:43Z", 1,
     "Provides full access to Amazon SageMaker via the AWS Management "
     "Console and SDK. Also provides select access to related services "
     "(e.g., S3, ECR, CloudWatch Logs).",
     DOC_ACTIONS("\"sagemaker:*\",\"ecr:GetAuthorizationToken\","
                 "\"ecr:BatchGetImage\",\"logs:CreateLogGroup\","
                 "\"logs:PutLogEvents\",\"s3:GetObject\",\"s3:PutObject\"")},
    {"AmazonSageMakerReadOnly", "/", "ANPAJTZ2FTFCQ6CFLQA2O", "v11",
     "2017-11-29T23:33:11Z", "2023-01-24T22:33:25Z", 1,
     "Provides read only access to Amazon SageMaker via the AWS Management "
     "Console and SDK.",
     DOC_ACTIONS("\"sagemaker:Describe*\",\"sagemaker:List*\"")},
    {"AmazonSageMakerNotebooksServiceRolePolicy", "/aws-service-role/",
     "ANPAJ6NKZ2FLJ3UZBKAAA", "v9", "2019-11-18T21:06:37Z",
     "2022-11-15T17:13:49Z", 0,
     "Service-linked role policy used by Amazon SageMaker Notebooks.",
     DOC_ACTIONS("\"elasticfilesystem:CreateAccessPoint\"")},
    {"AWSLambdaBasicExecutionRole", "/service-role/", "ANPAJNCQGXC42545SKXIK",
     "v1", "2015-04-09T15:03:43Z", "2015-04-09T15:03:43Z", 1,
     "Provides write permissions to CloudWatch Logs.",
     DOC_ACTIONS("\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
                 "\"logs:PutLogEvents\"")},
    {"CloudWatchLogsFullAccess", "/", "ANPAJ3ZGNWK2R5HW5BQFO", "v2",
     "2015-02-06T18:40:02Z", "2022-11-10T15:26:45Z", 1,
     "Provides full access to CloudWatch Logs",
     DOC_ACTIONS("\"logs:*\",\"cloudwatch:GenerateQuery\"")},
    {"IAMReadOnlyAccess", "/", "ANPAJKSO7NDY4T57MWDSQ", "v4",
     "2015-02-06T18:40:39Z", "2018-01-25T19:11:27Z", 1,
     "Provides read only access to IAM via the AWS Management Console.",
     DOC_ACTIONS("\"iam:GenerateCredentialReport\",\"iam:Get*\","
                 "\"iam:List*\",\"iam:SimulateCustomPolicy\"")},
    {"PowerUserAccess", "/", "ANPAJYRXTHIB4FOVS3ZXS", "v5",
     "2015-02-06T18:39:47Z", "2023-07-06T22:04:00Z", 1,
     "Provides full access to AWS services and resources, but does not allow "
     "management of Users and groups.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],"
     "\"Resource\":\"*\"}]}"},
    {"ReadOnlyAccess", "/", "ANPAILL3HVNFSB6DCOWYQ", "v118",
     "2015-02-06T18:39:48Z", "2024-06-13T16:17:45Z", 1,
     "Provides read-only access to AWS services and resources.",
     DOC_ACTIONS("\"ec2:Describe*\",\"iam:Get*\",\"iam:List*\","
                 "\"s3:Get*\",\"s3:List*\",\"sagemaker:Describe*\"")},
};

void iam_catalog_load(struct sim_iam *iam)
{
    size_t i;

    for (i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++) {
        const struct catalog_entry *e = &catalog[i];
        struct iam_policy *p = iam_alloc(sizeof(*p));

        p->account = iam_dup("aws");
        p->name = iam_dup(e->name);
        p->path = iam_dup(e->path);
        p->id = iam_dup(e->id);
        p->arn = iam_printf("arn:aws:iam::aws:policy%s%s", e->path, e->name);
        p->description = iam_dup(e->description);
        p->create_ms = iam_parse_time(e->created);
        p->update_ms = iam_parse_time(e->updated);
        /* Only the default version of AWS's policies is served. */
        p->versions = iam_alloc(sizeof(*p->versions));
        p->versions[0].id = iam_dup(e->version);
        p->versions[0].document = iam_dup(e->document);
        p->versions[0].create_ms = p->update_ms;
        p->nversions = 1;
        p->default_version = iam_dup(e->version);
        p->attachable = e->attachable;
        iam_push((void ***)&iam->policies, &iam->npolicies,
                 &iam->policies_alloc, p);
    }
}

/* The policy this account may see by ARN (AWS's, or its own once
 * visible), or NULL. */
static struct iam_policy *visible_policy(struct iam_ctx *c, const char *arn)
{
    struct iam_policy *p = iam_policy_find(c->iam, arn);

    if (p && strcmp(p->account, "aws") != 0 &&
        (strcmp(p->account, c->account) != 0 || c->now < p->visible_at))
        return NULL;
    return p;
}

/*
 * The members of a Policy or ManagedPolicyDetail. As IAM: CreatePolicy
 * and ListPolicies leave out Description; GetPolicy and CreatePolicy
 * (when set) give Tags, the others never do.
 */
enum policy_view { VIEW_CREATE, VIEW_GET, VIEW_LIST, VIEW_DETAIL };

static void policy_fields(struct iam_ctx *c, tern_buf *b,
                          const struct iam_policy *p, enum policy_view view)
{
    sim_xml_elem(b, "PolicyName", p->name);
    sim_xml_elem(b, "PolicyId", p->id);
    sim_xml_elem(b, "Arn", p->arn);
    sim_xml_elem(b, "Path", p->path);
    sim_xml_elem(b, "DefaultVersionId", p->default_version);
    iam_xml_int(b, "AttachmentCount",
                iam_policy_attachments(c->iam, c->account, p->arn, c->now, 0));
    iam_xml_int(b, "PermissionsBoundaryUsageCount",
                iam_policy_attachments(c->iam, c->account, p->arn, c->now, 1));
    sim_xml_elem(b, "IsAttachable", p->attachable ? "true" : "false");
    if ((view == VIEW_GET || view == VIEW_DETAIL) && p->description &&
        *p->description)
        sim_xml_elem(b, "Description", p->description);
    iam_xml_time(b, "CreateDate", p->create_ms);
    iam_xml_time(b, "UpdateDate", p->update_ms);
    if ((view == VIEW_GET || view == VIEW_CREATE) && p->tags.n)
        iam_xml_tags(b, &p->tags);
}

void iam_xml_policy(struct iam_ctx *c, tern_buf *b, const struct iam_policy *p)
{
    tern_buf_puts(b, "<Policy>");
    policy_fields(c, b, p, VIEW_CREATE);
    tern_buf_puts(b, "</Policy>");
}

static void version_fields(tern_buf *b, const struct iam_policy *p,
                           const struct iam_policy_version *v, int document)
{
    if (document)
        iam_xml_doc(b, "Document", v->document);
    sim_xml_elem(b, "VersionId", v->id);
    sim_xml_elem(b, "IsDefaultVersion",
                 strcmp(v->id, p->default_version) == 0 ? "true" : "false");
    iam_xml_time(b, "CreateDate", v->create_ms);
}

void iam_xml_policy_version(tern_buf *b, const struct iam_policy *p,
                            const struct iam_policy_version *v, int document)
{
    version_fields(b, p, v, document);
}

void iam_get_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *arn = sim_req_param(c->req, "PolicyArn");
    struct iam_policy *p;

    iam_check_arn(&v, arn, "policyArn");
    if (iam_verr_send(c, &v))
        return;
    if (!iam_policy_arn_valid(arn)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", arn);
        return;
    }
    p = visible_policy(c, arn);
    if (!p) {
        iam_error(c, 404, "NoSuchEntity", "Policy %s was not found.", arn);
        return;
    }
    iam_begin(c, 1);
    tern_buf_puts(&c->resp->body, "<Policy>");
    policy_fields(c, &c->resp->body, p, VIEW_GET);
    tern_buf_puts(&c->resp->body, "</Policy>");
    iam_end(c, 1);
}

/*
 * GetPolicyVersion: any version of the caller's policies, the default one
 * of AWS's. A version that is not there is NoSuchEntity, as IAM says it.
 */
void iam_get_policy_version(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *arn = sim_req_param(c->req, "PolicyArn");
    const char *version = sim_req_param(c->req, "VersionId");
    struct iam_policy *p;
    const struct iam_policy_version *pv = NULL;
    tern_buf *b = &c->resp->body;

    iam_check_arn(&v, arn, "policyArn");
    iam_check_version_id(&v, version);
    if (iam_verr_send(c, &v))
        return;
    if (!iam_policy_arn_valid(arn)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", arn);
        return;
    }
    p = visible_policy(c, arn);
    if (p)
        pv = iam_policy_version(p, version);
    if (!pv) {
        iam_error(c, 404, "NoSuchEntity",
                  "Policy %s version %s does not exist or is not attachable.",
                  arn, version);
        return;
    }
    iam_begin(c, 1);
    tern_buf_puts(b, "<PolicyVersion>");
    version_fields(b, p, pv, 1);
    tern_buf_puts(b, "</PolicyVersion>");
    iam_end(c, 1);
}

/* ListPolicies: Scope (All, AWS, Local), PathPrefix, OnlyAttached; sorted
 * by name, then ARN. */
void iam_list_policies(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *scope = sim_req_param(c->req, "Scope");
    const char *prefix = sim_req_param(c->req, "PathPrefix");
    const char *only = sim_req_param(c->req, "OnlyAttached");
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    if (scope && strcmp(scope, "All") != 0 && strcmp(scope, "AWS") != 0 &&
        strcmp(scope, "Local") != 0)
        iam_verr_add(&v, scope, "scope",
                     "Member must satisfy enum value set: [All, AWS, Local]");
    iam_check_path(&v, prefix, "pathPrefix");
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page))
        goto done;
    keys = iam_alloc((c->iam->npolicies + 1) * sizeof(*keys));
    items = iam_alloc((c->iam->npolicies + 1) * sizeof(*items));
    for (i = 0; i < c->iam->npolicies; i++) {
        struct iam_policy *p = c->iam->policies[i];
        int aws = strcmp(p->account, "aws") == 0;
        char *lower;

        if (!aws &&
            (strcmp(p->account, c->account) != 0 || c->now < p->visible_at))
            continue;
        if (scope && ((strcmp(scope, "AWS") == 0 && !aws) ||
                      (strcmp(scope, "Local") == 0 && aws)))
            continue;
        if (prefix && strncmp(p->path, prefix, strlen(prefix)) != 0)
            continue;
        if (only && strcmp(only, "true") == 0 &&
            iam_policy_attachments(c->iam, c->account, p->arn, c->now, 0) == 0)
            continue;
        lower = iam_lower(p->name);
        keys[n] = iam_printf("%s\x01%s", lower, p->arn);
        tern_free(lower);
        items[n++] = p;
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<Policies>");
    for (i = start; i < end; i++) {
        tern_buf_puts(b, "<member>");
        policy_fields(c, b, items[i], VIEW_LIST);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Policies>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}

/* GetAccountAuthorizationDetails */

enum { F_USER = 1, F_ROLE = 2, F_GROUP = 4, F_LOCAL = 8, F_AWS = 16 };

static int parse_filter(struct iam_ctx *c, struct iam_verr *v)
{
    static const struct {
        const char *name;
        int bit;
    } types[] = {{"User", F_USER},
                 {"Role", F_ROLE},
                 {"Group", F_GROUP},
                 {"LocalManagedPolicy", F_LOCAL},
                 {"AWSManagedPolicy", F_AWS}};
    int mask = 0, i;
    size_t t;
    char name[48];

    for (i = 1; i <= 16; i++) {
        const char *val;
        int bit = 0;

        snprintf(name, sizeof(name), "Filter.member.%d", i);
        val = sim_req_param(c->req, name);
        if (!val)
            break;
        for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
            if (strcmp(val, types[t].name) == 0)
                bit = types[t].bit;
        if (!bit)
            iam_verr_add(v, val, "filter",
                         "Member must satisfy constraint: [Member must "
                         "satisfy enum value set: [LocalManagedPolicy, "
                         "Group, Role, AWSManagedPolicy, User]]");
        mask |= bit;
    }
    return mask ? mask : F_USER | F_ROLE | F_GROUP | F_LOCAL | F_AWS;
}

static void role_detail(struct iam_ctx *c, tern_buf *b,
                        const struct iam_role *r)
{
    size_t i;

    tern_buf_puts(b, "<member>");
    sim_xml_elem(b, "Path", r->path);
    sim_xml_elem(b, "RoleName", r->name);
    sim_xml_elem(b, "RoleId", r->id);
    sim_xml_elem(b, "Arn", r->arn);
    iam_xml_time(b, "CreateDate", r->create_ms);
    iam_xml_doc(b, "AssumeRolePolicyDocument", iam_ver_get(&r->trust, c->now));
    tern_buf_puts(b, "<InstanceProfileList>");
    for (i = 0; i < c->iam->nprofiles; i++) {
        const struct iam_profile *p = c->iam->profiles[i];

        if (strcmp(p->account, r->account) != 0 || c->now < p->visible_at ||
            !p->role || strcasecmp(p->role, r->name) != 0 ||
            c->now < p->role_visible_at)
            continue;
        tern_buf_puts(b, "<member>");
        iam_xml_profile(c->iam, b, p, c->now);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</InstanceProfileList><RolePolicyList>");
    for (i = 0; i < r->ninl; i++) {
        const char *doc = iam_ver_get(&r->inl[i].doc, c->now);

        if (!doc)
            continue;
        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "PolicyName", r->inl[i].name);
        iam_xml_doc(b, "PolicyDocument", doc);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</RolePolicyList><AttachedManagedPolicies>");
    for (i = 0; i < r->natt; i++) {
        const struct iam_policy *p = iam_policy_find(c->iam, r->att[i].arn);

        if (!p || c->now < r->att[i].visible_at)
            continue;
        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "PolicyName", p->name);
        sim_xml_elem(b, "PolicyArn", p->arn);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</AttachedManagedPolicies>");
    if (r->boundary) {
        tern_buf_puts(b, "<PermissionsBoundary>");
        sim_xml_elem(b, "PermissionsBoundaryType", "PermissionsBoundaryPolicy");
        sim_xml_elem(b, "PermissionsBoundaryArn", r->boundary);
        tern_buf_puts(b, "</PermissionsBoundary>");
    }
    iam_xml_tags(b, &r->tags);
    tern_buf_puts(b, "<RoleLastUsed/></member>");
}

/* A ManagedPolicyDetail: every version, with its document. */
static void policy_detail(struct iam_ctx *c, tern_buf *b,
                          const struct iam_policy *p)
{
    size_t i;

    tern_buf_puts(b, "<member>");
    policy_fields(c, b, p, VIEW_DETAIL);
    tern_buf_puts(b, "<PolicyVersionList>");
    for (i = 0; i < p->nversions; i++) {
        tern_buf_puts(b, "<member>");
        version_fields(b, p, &p->versions[i], 1);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</PolicyVersionList></member>");
}

void iam_get_account_authorization_details(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end, cap;
    int mask;
    tern_buf *b = &c->resp->body;

    mask = parse_filter(c, &v);
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page))
        goto done;
    cap = c->iam->nroles + c->iam->npolicies + 1;
    keys = iam_alloc(cap * sizeof(*keys));
    items = iam_alloc(cap * sizeof(*items));
    /* One sequence for the marker: policies ("p" + ARN), roles ("r"...). */
    for (i = 0; (mask & F_ROLE) && i < c->iam->nroles; i++) {
        struct iam_role *r = c->iam->roles[i];
        char *lower;

        if (strcmp(r->account, c->account) != 0 || c->now < r->visible_at)
            continue;
        lower = iam_lower(r->name);
        keys[n] = iam_printf("r%s", lower);
        tern_free(lower);
        items[n++] = r;
    }
    for (i = 0; i < c->iam->npolicies; i++) {
        struct iam_policy *p = c->iam->policies[i];
        int aws = strcmp(p->account, "aws") == 0;

        if (aws ? !(mask & F_AWS) || !iam_policy_attachments(c->iam, c->account,
                                                             p->arn, c->now, 0)
                : !(mask & F_LOCAL) || strcmp(p->account, c->account) != 0 ||
                      c->now < p->visible_at)
            continue;
        keys[n] = iam_printf("p%s", p->arn);
        items[n++] = p;
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<UserDetailList></UserDetailList>"
                     "<GroupDetailList></GroupDetailList><RoleDetailList>");
    for (i = start; i < end; i++)
        if (keys[i][0] == 'r')
            role_detail(c, b, items[i]);
    tern_buf_puts(b, "</RoleDetailList><Policies>");
    for (i = start; i < end; i++)
        if (keys[i][0] == 'p')
            policy_detail(c, b, items[i]);
    tern_buf_puts(b, "</Policies>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}
