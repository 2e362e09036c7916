/*
 * AWS Query responses as a small tree (expat underneath).
 *
 * Each element becomes a node with its local name (the namespace is
 * dropped: IAM and STS answer in their own default namespace), its text
 * (the character data directly inside it, entity-decoded) and its
 * children in document order. Attributes are ignored; AWS Query responses
 * carry none that matter. Lookups take slash-separated paths of element
 * names relative to a node:
 *
 *     const tern_xml_node *r = tern_xml_find(root, "GetRoleResult/Role");
 *     const char *arn = tern_xml_text(r, "Arn");
 *
 * Limits: nesting deeper than TERN_XML_MAX_DEPTH is refused, and expat's
 * own amplification protection (billion laughs) is on.
 */
#ifndef TERN_AWS_XML_H
#define TERN_AWS_XML_H

#include <stddef.h>

#define TERN_XML_MAX_DEPTH 64

/** One element. Everything is owned by the tree. */
typedef struct tern_xml_node {
    char *name; /**< local name, without namespace or prefix */
    char *text; /**< character data directly inside; "" when none */
    struct tern_xml_node *parent;
    struct tern_xml_node *children; /**< first child */
    struct tern_xml_node *next;     /**< next sibling */
} tern_xml_node;

/**
 * Parse a document.
 * @param out receives the root element (caller owns; tern_xml_free())
 * @param data the bytes (borrowed)
 * @param len how many
 * @param err receives a message on a parse failure (may be NULL)
 * @param errlen size of @p err
 * @return TERN_OK, TERN_EINVALID (not well-formed, too deep) or
 *         TERN_ENOMEM
 */
int tern_xml_parse(tern_xml_node **out, const char *data, size_t len, char *err,
                   size_t errlen);

/**
 * tern_xml_parse, also telling how many nodes were touched to link the
 * elements into the tree (one each: appending is O(1)). For tests.
 */
int tern__xml_parse_counted(tern_xml_node **out, const char *data, size_t len,
                            char *err, size_t errlen, size_t *links);

/** Free a tree. NULL-safe. */
void tern_xml_free(tern_xml_node *root);

/**
 * The first child of @p node with this local name.
 * @return a node owned by the tree, or NULL
 */
const tern_xml_node *tern_xml_child(const tern_xml_node *node,
                                    const char *name);

/**
 * Follow a path of child names, e.g. "ListRolesResult/Roles/member"; at
 * each step the first match is taken. An empty path is @p node itself.
 * @return a node owned by the tree, or NULL (also for a NULL @p node)
 */
const tern_xml_node *tern_xml_find(const tern_xml_node *node, const char *path);

/**
 * The text of the element at @p path (see tern_xml_find()).
 * @return a string owned by the tree, or NULL when there is no such element
 */
const char *tern_xml_text(const tern_xml_node *node, const char *path);

/**
 * The next sibling with the same name as @p node, for walking lists of
 * "member" elements.
 * @return a node owned by the tree, or NULL
 */
const tern_xml_node *tern_xml_next(const tern_xml_node *node);

/** An AWS Query error response, parsed. Strings are owned; may be NULL. */
typedef struct tern_aws_error {
    char *type;       /**< "Sender" or "Receiver" */
    char *code;       /**< e.g. "NoSuchEntity" */
    char *message;    /**< the service's sentence */
    char *request_id; /**< x-amzn-RequestId */
} tern_aws_error;

/**
 * Read an error document: <ErrorResponse><Error><Type/><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>, or the <Response><Errors><Error>
 * ... </Errors><RequestID/> form some services use.
 * @param out zero-initialised; filled (release with
 *        tern_aws_error_release())
 * @param data the body (borrowed)
 * @param len its length
 * @return TERN_OK when a Code was found, TERN_EINVALID when the body is
 *         not an AWS error document, TERN_ENOMEM
 */
int tern_aws_error_parse(tern_aws_error *out, const char *data, size_t len);

/** Free the strings of an error and zero it. */
void tern_aws_error_release(tern_aws_error *err);

#endif
