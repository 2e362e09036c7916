/*
 * Fuzz target: the IAM XML response parser and the error-document reader
 * (src/aws/xml.c), which read whatever a server sends.
 */
#include "aws/xml.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tern_xml_node *root = NULL;
    tern_aws_error err;
    char msg[256];

    if (tern_xml_parse(&root, (const char *)data, size, msg, sizeof(msg)) ==
        0) {
        (void)tern_xml_text(root, "GetRoleResult/Role/RoleName");
        (void)tern_xml_find(root, "ListRolesResult/Roles/member");
        tern_xml_free(root);
    }
    if (tern_aws_error_parse(&err, (const char *)data, size) == 0)
        tern_aws_error_release(&err);
    return 0;
}
