/*
 * expat into a tree of tern_xml_node. Parsing is namespace-aware so that
 * "iam:Role" and <Role xmlns="..."> both come out as "Role"; the separator
 * '|' cannot occur in a local name, so the local name is whatever follows
 * the last one.
 */
#include "aws/xml.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <expat.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#define NS_SEP '|'

struct builder {
    XML_Parser parser;
    tern_xml_node *root;
    tern_xml_node *cur;
    /* The last child of the open element at each depth: appending a
     * sibling is O(1), not a walk of those before it (issue 20, finding
     * 8: 200,000 <a/> took 52.6 s). */
    tern_xml_node *last[TERN_XML_MAX_DEPTH + 1];
    size_t links; /* nodes touched to link new elements, for the test */
    tern_buf text[TERN_XML_MAX_DEPTH + 1];
    int depth;
    int error; /* TERN_ENOMEM or TERN_EINVALID once something failed */
};

/* The text of every element without character data (most of an
 * answer's elements hold only others): not allocated, never freed. */
static char empty_text[1];

static void fail(struct builder *b, int error)
{
    if (!b->error)
        b->error = error;
    XML_StopParser(b->parser, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct builder *b = ud;
    const char *local = strrchr(name, NS_SEP);
    tern_xml_node *n;
    size_t len;

    (void)attrs;
    if (b->error)
        return;
    if (b->depth >= TERN_XML_MAX_DEPTH) {
        fail(b, TERN_EINVALID);
        return;
    }
    /* The node and its name in one allocation. */
    local = local ? local + 1 : name;
    len = strlen(local);
    n = tern_calloc(1, sizeof(*n) + len + 1);
    if (!n) {
        fail(b, TERN_ENOMEM);
        return;
    }
    n->name = memcpy((char *)(n + 1), local, len + 1);
    n->parent = b->cur;
    if (!b->cur)
        b->root = n;
    else if (b->last[b->depth])
        b->last[b->depth]->next = n;
    else
        b->cur->children = n;
    b->links++;
    b->last[b->depth] = n;
    b->cur = n;
    b->depth++;
    b->last[b->depth] = NULL;
    tern_buf_clear(&b->text[b->depth]);
}

static void on_end(void *ud, const XML_Char *name)
{
    struct builder *b = ud;
    tern_buf *t;

    (void)name;
    if (b->error || !b->cur)
        return;
    /* The depth's buffer stays for the next element there. */
    t = &b->text[b->depth];
    if (tern_buf_oom(t))
        b->cur->text = NULL;
    else if (!t->len)
        b->cur->text = empty_text;
    else
        b->cur->text = tern_strndup(t->ptr, t->len);
    if (!b->cur->text) {
        fail(b, TERN_ENOMEM);
        return;
    }
    b->cur = b->cur->parent;
    b->depth--;
}

static void on_chars(void *ud, const XML_Char *s, int len)
{
    struct builder *b = ud;

    if (b->error || b->depth == 0)
        return;
    if (tern_buf_put(&b->text[b->depth], s, (size_t)len) != TERN_OK)
        fail(b, TERN_ENOMEM);
}

static void free_nodes(tern_xml_node *n)
{
    while (n) {
        tern_xml_node *next = n->next;

        free_nodes(n->children);
        if (n->text != empty_text)
            tern_free(n->text);
        tern_free(n);
        n = next;
    }
}

void tern_xml_free(tern_xml_node *root)
{
    free_nodes(root);
}

int tern_xml_parse(tern_xml_node **out, const char *data, size_t len, char *err,
                   size_t errlen)
{
    return tern__xml_parse_counted(out, data, len, err, errlen, NULL);
}

/* Expat salts its hash tables against collisions a hostile document
 * could aim for; left to itself it asks the kernel for a new salt for
 * every parser, a system call on every response. One random salt for the
 * process keeps the protection. If the kernel gives none, 0 lets expat
 * draw its own, as before. */
static unsigned long salt;
static pthread_once_t salt_once = PTHREAD_ONCE_INIT;

static void draw_salt(void)
{
    unsigned long v = 0;

    if (getrandom(&v, sizeof(v), 0) == (ssize_t)sizeof(v))
        salt = v ? v : 1;
}

static unsigned long hash_salt(void)
{
    pthread_once(&salt_once, draw_salt);
    return salt;
}

int tern__xml_parse_counted(tern_xml_node **out, const char *data, size_t len,
                            char *err, size_t errlen, size_t *links)
{
    struct builder b;
    int error = TERN_OK, i;

    *out = NULL;
    memset(&b, 0, sizeof(b));
    b.parser = XML_ParserCreateNS(NULL, NS_SEP);
    if (!b.parser)
        return TERN_ENOMEM;
    XML_SetHashSalt(b.parser, hash_salt());
    XML_SetUserData(b.parser, &b);
    XML_SetElementHandler(b.parser, on_start, on_end);
    XML_SetCharacterDataHandler(b.parser, on_chars);
    if (len > (size_t)0x7fffffff ||
        XML_Parse(b.parser, data ? data : "", (int)len, XML_TRUE) ==
            XML_STATUS_ERROR) {
        if (b.error == TERN_ENOMEM) {
            error = TERN_ENOMEM;
        } else {
            error = TERN_EINVALID;
            if (err && errlen) {
                if (b.error == TERN_EINVALID)
                    snprintf(err, errlen, "XML nested deeper than %d elements",
                             TERN_XML_MAX_DEPTH);
                else
                    snprintf(err, errlen, "XML error at line %lu: %s",
                             (unsigned long)XML_GetCurrentLineNumber(b.parser),
                             XML_ErrorString(XML_GetErrorCode(b.parser)));
            }
        }
        goto done;
    }
    if (!b.root) {
        error = TERN_EINVALID;
        if (err && errlen)
            snprintf(err, errlen, "XML document has no element");
        goto done;
    }
    *out = b.root;
    b.root = NULL;
    if (links)
        *links = b.links;
done:
    free_nodes(b.root);
    for (i = 0; i <= TERN_XML_MAX_DEPTH; i++)
        tern_buf_release(&b.text[i]);
    XML_ParserFree(b.parser);
    return error;
}

const tern_xml_node *tern_xml_child(const tern_xml_node *node, const char *name)
{
    const tern_xml_node *c;

    if (!node)
        return NULL;
    for (c = node->children; c; c = c->next) {
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

const tern_xml_node *tern_xml_find(const tern_xml_node *node, const char *path)
{
    const char *p = path ? path : "";
    char seg[128];

    while (node && *p) {
        size_t n = strcspn(p, "/");

        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        node = tern_xml_child(node, seg);
        p += n;
        if (*p == '/')
            p++;
    }
    return node;
}

const char *tern_xml_text(const tern_xml_node *node, const char *path)
{
    const tern_xml_node *n = tern_xml_find(node, path);

    return n ? n->text : NULL;
}

const tern_xml_node *tern_xml_next(const tern_xml_node *node)
{
    const tern_xml_node *n;

    if (!node)
        return NULL;
    for (n = node->next; n; n = n->next) {
        if (strcmp(n->name, node->name) == 0)
            return n;
    }
    return NULL;
}

/* An error document's fields reach messages and logs: copied with control
 * characters made visible (issue 20, finding 14). */
static int dup_text(char **out, const char *s)
{
    if (!s)
        return TERN_OK;
    *out = tern_printable_strndup(s, strlen(s));
    return *out ? TERN_OK : TERN_ENOMEM;
}

int tern_aws_error_parse(tern_aws_error *out, const char *data, size_t len)
{
    tern_xml_node *root = NULL;
    const tern_xml_node *e;
    const char *rid;
    int error;

    memset(out, 0, sizeof(*out));
    error = tern_xml_parse(&root, data, len, NULL, 0);
    if (error != TERN_OK)
        return error;
    e = tern_xml_child(root, "Error");
    if (!e)
        e = tern_xml_find(root, "Errors/Error");
    if (!e && strcmp(root->name, "Error") == 0)
        e = root;
    if (!e || !tern_xml_text(e, "Code")) {
        error = TERN_EINVALID;
        goto done;
    }
    rid = tern_xml_text(root, "RequestId");
    if (!rid)
        rid = tern_xml_text(root, "RequestID");
    if (!rid)
        rid = tern_xml_text(root, "ResponseMetadata/RequestId");
    if (!rid)
        rid = tern_xml_text(e, "RequestId");
    if ((error = dup_text(&out->type, tern_xml_text(e, "Type"))) ||
        (error = dup_text(&out->code, tern_xml_text(e, "Code"))) ||
        (error = dup_text(&out->message, tern_xml_text(e, "Message"))) ||
        (error = dup_text(&out->request_id, rid)))
        goto done;
done:
    if (error != TERN_OK)
        tern_aws_error_release(out);
    tern_xml_free(root);
    return error;
}

void tern_aws_error_release(tern_aws_error *err)
{
    tern_free(err->type);
    tern_free(err->code);
    tern_free(err->message);
    tern_free(err->request_id);
    memset(err, 0, sizeof(*err));
}
