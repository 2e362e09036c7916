/*
 * Resource addresses as users type them on the command line:
 * `module.a["k"].module.b.aws_iam_role.x[0]`, `data.aws_caller_identity.c`,
 * `module.a`. The canonical form is the one tern_state_resource_address()
 * produces, so a parsed address can be printed back and compared.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void cli_addr_release(struct cli_addr *a)
{
    tern_free(a->module);
    tern_free(a->type);
    tern_free(a->name);
    tern_free(a->key_str);
    memset(a, 0, sizeof(*a));
}

static int is_ident(int c)
{
    return isalnum(c) || c == '_' || c == '-';
}

/* An identifier at *p; returns its length (0: none). */
static size_t ident(const char *p)
{
    size_t n = 0;

    if (!(isalpha((unsigned char)p[0]) || p[0] == '_'))
        return 0;
    while (is_ident((unsigned char)p[n]))
        n++;
    return n;
}

/*
 * An index `[0]` or `["k"]` at *p, copied verbatim into @buf (for module
 * paths) and decoded into @a's key when @a is not NULL. Returns the
 * characters consumed, 0 when malformed.
 */
static size_t index_key(const char *p, tern_buf *buf, struct cli_addr *a)
{
    const char *q = p + 1;
    tern_buf key = TERN_BUF_INIT;

    if (*p != '[')
        return 0;
    if (*q == '"') {
        q++;
        while (*q && *q != '"') {
            if (*q == '\\' && q[1])
                q++;
            tern_buf_putc(&key, *q++);
        }
        if (*q != '"' || q[1] != ']') {
            tern_buf_release(&key);
            return 0;
        }
        q += 2;
        if (a) {
            a->key_kind = TERN_STATE_KEY_STRING;
            a->key_str = tern_buf_detach(&key);
        }
    } else {
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(q, &end, 10);
        if (errno || end == q || *end != ']' || v < 0)
            return 0;
        q = end + 1;
        if (a) {
            a->key_kind = TERN_STATE_KEY_INT;
            a->key_int = v;
        }
    }
    tern_buf_release(&key);
    if (buf)
        tern_buf_put(buf, p, (size_t)(q - p));
    return (size_t)(q - p);
}

/* Why an address is malformed: Terraform's reasons where it has one. */
#define WHY_EMPTY "The address is empty."
#define WHY_START                                                              \
    "An address must begin with a resource type, \"data.\" or \"module.\"."
#define WHY_MODULE "\"module.\" must be followed by a module name."
#define WHY_INDEX                                                              \
    "An index must be a whole number, such as [0], or a quoted key, such as "  \
    "[\"k\"], and end with \"]\"."
#define WHY_TYPE_NAME                                                          \
    "Resource specification must include a resource type and name."
#define WHY_AFTER_MODULE                                                       \
    "A module path must be followed by \".\" and a resource address."
#define WHY_AFTER_NAME                                                         \
    "Only an index, such as [0] or [\"k\"], may follow the resource name."

/*
 * The parser behind cli_addr_parse() and cli_addr_check_flag(): on
 * TERN_EINVALID, *why says what is wrong (a static string).
 */
static int parse(struct cli_addr *a, const char *text, const char **why)
{
    tern_buf mod = TERN_BUF_INIT;
    const char *p = text;
    size_t n;
    int error = TERN_OK;

    memset(a, 0, sizeof(*a));
    *why = NULL;
    if (*p == '\0') {
        *why = WHY_EMPTY;
        goto invalid;
    }
    while (strncmp(p, "module.", 7) == 0) {
        n = ident(p + 7);
        if (n == 0) {
            *why = WHY_MODULE;
            goto invalid;
        }
        if (mod.len)
            tern_buf_putc(&mod, '.');
        tern_buf_put(&mod, p, 7 + n);
        p += 7 + n;
        if (*p == '[') {
            n = index_key(p, &mod, NULL);
            if (n == 0) {
                *why = WHY_INDEX;
                goto invalid;
            }
            p += n;
        }
        if (*p == '\0')
            break;
        if (*p != '.') {
            *why = WHY_AFTER_MODULE;
            goto invalid;
        }
        p++;
    }
    a->module = tern_buf_detach(&mod);
    if (a->module == NULL)
        a->module = tern_strdup("");
    TERN_CHECK_ALLOC(a->module);
    if (*p == '\0') {
        if (a->module[0] == '\0') {
            *why = WHY_EMPTY;
            goto invalid;
        }
        goto done; /* a module address */
    }
    if (strncmp(p, "data.", 5) == 0) {
        a->mode = TERN_STATE_DATA;
        p += 5;
    }
    n = ident(p);
    if (n == 0) {
        *why = p == text ? WHY_START : WHY_TYPE_NAME;
        goto invalid;
    }
    if (p[n] != '.') {
        *why = p[n] == '\0' || p[n] == '[' ? WHY_TYPE_NAME : WHY_START;
        goto invalid;
    }
    a->type = tern_strndup(p, n);
    TERN_CHECK_ALLOC(a->type);
    p += n + 1;
    n = ident(p);
    if (n == 0) {
        *why = WHY_TYPE_NAME;
        goto invalid;
    }
    a->name = tern_strndup(p, n);
    TERN_CHECK_ALLOC(a->name);
    p += n;
    if (*p == '[') {
        n = index_key(p, NULL, a);
        if (n == 0) {
            *why = WHY_INDEX;
            goto invalid;
        }
        p += n;
    }
    if (*p != '\0') {
        *why = WHY_AFTER_NAME;
        goto invalid;
    }
    goto done;
invalid:
    error = TERN_EINVALID;
done:
    tern_buf_release(&mod);
    if (error)
        cli_addr_release(a);
    return error;
}

int cli_addr_parse(struct cli_addr *a, const char *text,
                   struct tern_diags *diags)
{
    const char *why = NULL;
    int error = parse(a, text, &why);

    if (error == TERN_EINVALID)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid address",
                       "\"%s\" is not a valid resource address, such as "
                       "aws_iam_role.x, aws_iam_role.x[0], "
                       "module.m.aws_iam_role.x[\"k\"] or data.aws_iam_role.x.",
                       text);
    return error;
}

int cli_addr_check_flag(const char *flag, const char *text,
                        struct tern_diags *diags)
{
    struct cli_addr a;
    const char *why = NULL;
    char *summary = NULL;
    int replace = strcmp(flag, "replace") == 0, a_is_data = 0;
    int error = parse(&a, text, &why);

    if (error == TERN_ENOMEM)
        return error;
    if (error == TERN_OK && replace && a.type == NULL)
        why = "A resource instance address is required here: the module "
              "path must be followed by a resource type and name.";
    else if (error == TERN_OK && replace && a.mode != TERN_STATE_MANAGED) {
        why = "Only managed resources can be used with the -replace=... "
              "option.";
        a_is_data = 1;
    }
    if (error == TERN_OK)
        cli_addr_release(&a);
    if (why == NULL)
        return TERN_OK;
    /* Terraform's summaries: the address as given, quoted. */
    summary = tern_asprintf(replace ? "Invalid force-replace address \"%s\""
                                    : "Invalid target \"%s\"",
                            text);
    if (!summary)
        return TERN_ENOMEM;
    if (error == TERN_OK && a_is_data)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, summary, "%s", why);
    else
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, summary,
                       "%s For example: aws_iam_role.x, aws_iam_role.x[0], "
                       "aws_iam_role.x[\"k\"]%s.",
                       why,
                       replace ? " or module.m.aws_iam_role.x"
                               : ", module.m or module.m.aws_iam_role.x");
    tern_free(summary);
    return TERN_EINVALID;
}

int cli_addr_matches(const char *filter, const char *instance)
{
    struct tern_diags scratch = TERN_DIAGS_INIT;
    struct cli_addr a;
    size_t n = strlen(filter);
    int is_module = 0;

    if (strncmp(filter, instance, n) != 0)
        return 0;
    if (instance[n] == '\0' || instance[n] == '[')
        return 1; /* equal, or an instance of the resource */
    if (instance[n] != '.')
        return 0;
    /* Everything in a module: only when the filter is a module address. */
    if (cli_addr_parse(&a, filter, &scratch) == TERN_OK) {
        is_module = a.type == NULL;
        cli_addr_release(&a);
    }
    tern_diags_release(&scratch);
    return is_module;
}
