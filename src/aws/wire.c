/*
 * The Query operations tern calls and their bodies (see wire.h). Each
 * member list is the input shape of the operation in botocore's service
 * model (botocore/data/iam/2010-05-08/service-2.json,
 * sts/2011-06-15/service-2.json and ec2/2016-11-15/service-2.json), in
 * that order, less the members whose
 * shape is a list of structures other than Tag (STS AssumeRole's
 * PolicyArns): tern sends none of those. The oracle test checks each list
 * against the model itself.
 */
#include "aws/wire.h"
#include "aws/query.h"
#include "tern/diag.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(n)                                                                   \
    {                                                                          \
        n, TERN_AWS_STRING, NULL                                               \
    }
#define I(n)                                                                   \
    {                                                                          \
        n, TERN_AWS_INTEGER, NULL                                              \
    }
#define B(n)                                                                   \
    {                                                                          \
        n, TERN_AWS_BOOLEAN, NULL                                              \
    }
#define SL(n)                                                                  \
    {                                                                          \
        n, TERN_AWS_STRING_LIST, NULL                                          \
    }
#define TL(n)                                                                  \
    {                                                                          \
        n, TERN_AWS_TAG_LIST, NULL                                             \
    }
#define EL(n, w)                                                               \
    {                                                                          \
        n, TERN_AWS_EC2_LIST, w                                                \
    }
#define EF(n, w)                                                               \
    {                                                                          \
        n, TERN_AWS_EC2_FILTERS, w                                             \
    }

static const tern_aws_member add_role_to_instance_profile[] = {
    S("InstanceProfileName"), S("RoleName")};
static const tern_aws_member attach_role_policy[] = {S("RoleName"),
                                                     S("PolicyArn")};
static const tern_aws_member create_instance_profile[] = {
    S("InstanceProfileName"), S("Path"), TL("Tags")};
static const tern_aws_member create_role[] = {
    S("Path"),        S("RoleName"),           S("AssumeRolePolicyDocument"),
    S("Description"), I("MaxSessionDuration"), S("PermissionsBoundary"),
    TL("Tags")};
static const tern_aws_member create_policy[] = {S("PolicyName"), S("Path"),
                                                S("PolicyDocument"),
                                                S("Description"), TL("Tags")};
static const tern_aws_member create_policy_version[] = {
    S("PolicyArn"), S("PolicyDocument"), B("SetAsDefault")};
static const tern_aws_member list_entities_for_policy[] = {
    S("PolicyArn"),         S("EntityFilter"), S("PathPrefix"),
    S("PolicyUsageFilter"), S("Marker"),       I("MaxItems")};
static const tern_aws_member list_for_policy[] = {S("PolicyArn"), S("Marker"),
                                                  I("MaxItems")};
static const tern_aws_member tag_policy[] = {S("PolicyArn"), TL("Tags")};
static const tern_aws_member untag_policy[] = {S("PolicyArn"), SL("TagKeys")};
static const tern_aws_member instance_profile_name[] = {
    S("InstanceProfileName")};
static const tern_aws_member role_name[] = {S("RoleName")};
static const tern_aws_member role_policy[] = {S("RoleName"), S("PolicyName")};
static const tern_aws_member get_account_authorization_details[] = {
    SL("Filter"), I("MaxItems"), S("Marker")};
static const tern_aws_member policy_arn[] = {S("PolicyArn")};
static const tern_aws_member get_policy_version[] = {S("PolicyArn"),
                                                     S("VersionId")};
static const tern_aws_member list_attached_role_policies[] = {
    S("RoleName"), S("PathPrefix"), S("Marker"), I("MaxItems")};
static const tern_aws_member list_for_role[] = {S("RoleName"), S("Marker"),
                                                I("MaxItems")};
static const tern_aws_member list_policies[] = {
    S("Scope"),  B("OnlyAttached"), S("PathPrefix"), S("PolicyUsageFilter"),
    S("Marker"), I("MaxItems")};
static const tern_aws_member list_roles[] = {S("PathPrefix"), S("Marker"),
                                             I("MaxItems")};
static const tern_aws_member put_role_permissions_boundary[] = {
    S("RoleName"), S("PermissionsBoundary")};
static const tern_aws_member put_role_policy[] = {
    S("RoleName"), S("PolicyName"), S("PolicyDocument")};
static const tern_aws_member tag_instance_profile[] = {S("InstanceProfileName"),
                                                       TL("Tags")};
static const tern_aws_member tag_role[] = {S("RoleName"), TL("Tags")};
static const tern_aws_member untag_instance_profile[] = {
    S("InstanceProfileName"), SL("TagKeys")};
static const tern_aws_member untag_role[] = {S("RoleName"), SL("TagKeys")};
static const tern_aws_member update_assume_role_policy[] = {
    S("RoleName"), S("PolicyDocument")};
static const tern_aws_member update_role[] = {S("RoleName"), S("Description"),
                                              I("MaxSessionDuration")};

static const tern_aws_member assume_role[] = {
    S("RoleArn"),         S("RoleSessionName"), S("Policy"),
    I("DurationSeconds"), TL("Tags"),           SL("TransitiveTagKeys"),
    S("ExternalId"),      S("SerialNumber"),    S("TokenCode"),
    S("SourceIdentity")};

static const tern_aws_member describe_availability_zones[] = {
    EF("Filters", "Filter"), EL("ZoneNames", "ZoneName"),
    EL("ZoneIds", "ZoneId"), B("AllAvailabilityZones"), B("DryRun")};

#define OP(svc, action, m)                                                     \
    {                                                                          \
        svc, action, m, sizeof(m) / sizeof(*(m))                               \
    }
#define OP0(svc, action)                                                       \
    {                                                                          \
        svc, action, NULL, 0                                                   \
    }

const tern_aws_operation tern_aws_operations[] = {
    OP("ec2", "DescribeAvailabilityZones", describe_availability_zones),
    OP("iam", "AddRoleToInstanceProfile", add_role_to_instance_profile),
    OP("iam", "AttachRolePolicy", attach_role_policy),
    OP("iam", "CreateInstanceProfile", create_instance_profile),
    OP("iam", "CreatePolicy", create_policy),
    OP("iam", "CreatePolicyVersion", create_policy_version),
    OP("iam", "CreateRole", create_role),
    OP("iam", "DeleteInstanceProfile", instance_profile_name),
    OP("iam", "DeletePolicy", policy_arn),
    OP("iam", "DeletePolicyVersion", get_policy_version),
    OP("iam", "DeleteRole", role_name),
    OP("iam", "DeleteRolePermissionsBoundary", role_name),
    OP("iam", "DeleteRolePolicy", role_policy),
    OP("iam", "DetachRolePolicy", attach_role_policy),
    OP("iam", "GetAccountAuthorizationDetails",
       get_account_authorization_details),
    OP("iam", "GetInstanceProfile", instance_profile_name),
    OP("iam", "GetPolicy", policy_arn),
    OP("iam", "GetPolicyVersion", get_policy_version),
    OP("iam", "GetRole", role_name),
    OP("iam", "GetRolePolicy", role_policy),
    OP("iam", "ListAttachedRolePolicies", list_attached_role_policies),
    OP("iam", "ListEntitiesForPolicy", list_entities_for_policy),
    OP("iam", "ListInstanceProfilesForRole", list_for_role),
    OP("iam", "ListPolicies", list_policies),
    OP("iam", "ListPolicyTags", list_for_policy),
    OP("iam", "ListPolicyVersions", list_for_policy),
    OP("iam", "ListRolePolicies", list_for_role),
    OP("iam", "ListRoles", list_roles),
    OP("iam", "PutRolePermissionsBoundary", put_role_permissions_boundary),
    OP("iam", "PutRolePolicy", put_role_policy),
    OP("iam", "RemoveRoleFromInstanceProfile", add_role_to_instance_profile),
    OP("iam", "TagInstanceProfile", tag_instance_profile),
    OP("iam", "TagPolicy", tag_policy),
    OP("iam", "TagRole", tag_role),
    OP("iam", "UntagInstanceProfile", untag_instance_profile),
    OP("iam", "UntagPolicy", untag_policy),
    OP("iam", "UntagRole", untag_role),
    OP("iam", "UpdateAssumeRolePolicy", update_assume_role_policy),
    OP("iam", "UpdateRole", update_role),
    OP("sts", "AssumeRole", assume_role),
    OP0("sts", "GetCallerIdentity"),
};

const size_t tern_aws_noperations =
    sizeof(tern_aws_operations) / sizeof(*tern_aws_operations);

const tern_aws_operation *tern_aws_operation_find(const char *service,
                                                  const char *action)
{
    size_t i;

    if (!service || !action)
        return NULL;
    for (i = 0; i < tern_aws_noperations; i++) {
        if (strcmp(tern_aws_operations[i].service, service) == 0 &&
            strcmp(tern_aws_operations[i].action, action) == 0)
            return &tern_aws_operations[i];
    }
    return NULL;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

int tern_aws_form_encode(tern_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, start = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];

        if (is_unreserved(c))
            continue;
        tern_buf_put(b, s + start, i - start);
        if (c == ' ') {
            tern_buf_putc(b, '+');
        } else {
            esc[0] = '%';
            esc[1] = hex[c >> 4];
            esc[2] = hex[c & 15];
            tern_buf_put(b, esc, 3);
        }
        start = i + 1;
    }
    tern_buf_put(b, s + start, len - start);
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

/* One parameter, decoded, with where it sorts. */
struct param {
    char *name;
    char *value;
    size_t member;       /* index in the operation's members */
    unsigned long index; /* list element N; 0 for a scalar */
    int sub; /* a tag's Key 0, Value 1; a filter's Name 0, Value 1 */
    unsigned long sub_index; /* a filter's Value.M */
    size_t seq;              /* position in the input */
};

static int param_cmp(const void *a, const void *b)
{
    const struct param *x = a, *y = b;

    if (x->member != y->member)
        return x->member < y->member ? -1 : 1;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    if (x->sub != y->sub)
        return x->sub < y->sub ? -1 : 1;
    if (x->sub_index != y->sub_index)
        return x->sub_index < y->sub_index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Form decoding: '+' is a space, %XX a byte. */
static char *form_decode(const char *s, size_t len)
{
    tern_buf b = TERN_BUF_INIT;

    tern_aws_form_decode(&b, s, len);
    return tern_buf_detach(&b);
}

/* N (1 or more, no leading zero) at @p s, advancing *s past it; 0 when
 * malformed. */
static unsigned long list_index(const char **s)
{
    const char *p = *s;
    unsigned long n = 0;

    if (*p < '1' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9') {
        if (n > 100000)
            return 0;
        n = n * 10 + (unsigned long)(*p - '0');
        p++;
    }
    *s = p;
    return n;
}

/* N of "member.N" at @p s, advancing *s past it; 0 when malformed. */
static unsigned long member_index(const char **s)
{
    const char *p = *s;
    unsigned long n;

    if (strncmp(p, "member.", 7) != 0)
        return 0;
    p += 7;
    if ((n = list_index(&p)) != 0)
        *s = p;
    return n;
}

/* The name a member goes by on the wire. */
static const char *wire_name(const tern_aws_member *m)
{
    return m->wire ? m->wire : m->name;
}

/* Place @p p among @p op's members; 0, or -1 with the reason in why. */
static int classify(struct param *p, const tern_aws_operation *op, char *why,
                    size_t whylen)
{
    const char *dot = strchr(p->name, '.');
    size_t toplen = dot ? (size_t)(dot - p->name) : strlen(p->name);
    const char *rest;
    size_t i;

    for (i = 0; i < op->nmembers; i++) {
        const char *w = wire_name(&op->members[i]);

        if (strlen(w) == toplen && strncmp(w, p->name, toplen) == 0)
            break;
    }
    if (i == op->nmembers) {
        snprintf(why, whylen, "%s %s takes no parameter '%.*s'", op->service,
                 op->action, (int)toplen, p->name);
        return -1;
    }
    p->member = i;
    rest = dot ? dot + 1 : NULL;
    switch (op->members[i].kind) {
    case TERN_AWS_STRING:
    case TERN_AWS_INTEGER:
    case TERN_AWS_BOOLEAN:
        if (!rest)
            return 0;
        break;
    case TERN_AWS_STRING_LIST:
        if (rest && (p->index = member_index(&rest)) != 0 && !*rest)
            return 0;
        break;
    case TERN_AWS_TAG_LIST:
        if (rest && (p->index = member_index(&rest)) != 0) {
            if (strcmp(rest, ".Key") == 0)
                return 0;
            if (strcmp(rest, ".Value") == 0) {
                p->sub = 1;
                return 0;
            }
        }
        break;
    case TERN_AWS_EC2_LIST:
        if (rest && (p->index = list_index(&rest)) != 0 && !*rest)
            return 0;
        break;
    case TERN_AWS_EC2_FILTERS:
        if (rest && (p->index = list_index(&rest)) != 0) {
            if (strcmp(rest, ".Name") == 0)
                return 0;
            if (strncmp(rest, ".Value.", 7) == 0) {
                rest += 7;
                p->sub = 1;
                if ((p->sub_index = list_index(&rest)) != 0 && !*rest)
                    return 0;
            }
        }
        break;
    }
    snprintf(why, whylen,
             "%s %s: '%s' is not how its parameter '%s' is written",
             op->service, op->action, p->name, wire_name(&op->members[i]));
    return -1;
}

int tern_aws_form_body(tern_buf *out, const tern_aws_operation *op,
                       const char *version, const tern_buf *params, char *why,
                       size_t whylen)
{
    struct param *ps = NULL;
    size_t n = 0, cap = 1, i;
    const char *p, *end;
    int error = TERN_OK;

    if (whylen)
        why[0] = '\0';
    if (params && params->len) {
        for (i = 0; i < params->len; i++)
            cap += params->ptr[i] == '&';
        ps = tern_calloc(cap, sizeof(*ps));
        TERN_CHECK_ALLOC(ps);
        p = params->ptr;
        end = params->ptr + params->len;
        while (p < end) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *e = amp ? amp : end;
            const char *eq = memchr(p, '=', (size_t)(e - p));

            if (e > p) {
                struct param *q = &ps[n++];

                q->seq = n;
                q->name = form_decode(p, (size_t)((eq ? eq : e) - p));
                q->value = eq ? form_decode(eq + 1, (size_t)(e - eq - 1))
                              : tern_strdup("");
                TERN_CHECK_ALLOC(q->name);
                TERN_CHECK_ALLOC(q->value);
                if (classify(q, op, why, whylen) != 0) {
                    error = TERN_EINVALID;
                    goto done;
                }
            }
            p = e + 1;
        }
        qsort(ps, n, sizeof(*ps), param_cmp);
        for (i = 1; i < n; i++) {
            if (strcmp(ps[i].name, ps[i - 1].name) == 0) {
                snprintf(why, whylen, "%s %s: parameter '%s' given twice",
                         op->service, op->action, ps[i].name);
                error = TERN_EINVALID;
                goto done;
            }
        }
    }
    tern_buf_puts(out, "Action=");
    tern_aws_form_encode(out, op->action, strlen(op->action));
    tern_buf_puts(out, "&Version=");
    tern_aws_form_encode(out, version, strlen(version));
    for (i = 0; i < n; i++) {
        tern_buf_putc(out, '&');
        tern_aws_form_encode(out, ps[i].name, strlen(ps[i].name));
        tern_buf_putc(out, '=');
        tern_aws_form_encode(out, ps[i].value, strlen(ps[i].value));
    }
    if (tern_buf_oom(out))
        error = TERN_ENOMEM;
done:
    for (i = 0; ps && i < n; i++) {
        tern_free(ps[i].name);
        tern_free(ps[i].value);
    }
    tern_free(ps);
    return error;
}
