/*
 * How the human renderings write HCL text: quoted strings, object keys
 * and indentation. One copy for the state and output renderer (render.c)
 * and the plan renderer (render_plan.c), so that a value reads the same
 * in `tern show` and in a plan.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <string.h>

void cli_hcl_indent(tern_buf *out, int n)
{
    if (n <= 0 || tern_buf_grow(out, (size_t)n) != TERN_OK)
        return;
    memset(out->ptr + out->len, ' ', (size_t)n);
    out->len += (size_t)n;
    out->ptr[out->len] = '\0';
}

void cli_hcl_string(tern_buf *out, const char *s, size_t len)
{
    size_t i;

    tern_buf_putc(out, '"');
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            tern_buf_putc(out, '\\');
            tern_buf_putc(out, (char)c);
        } else if (c == '\n')
            tern_buf_puts(out, "\\n");
        else if (c == '\t')
            tern_buf_puts(out, "\\t");
        else if (c == '\r')
            tern_buf_puts(out, "\\r");
        else if (c < 0x20)
            tern_buf_printf(out, "\\u%04x", c);
        else if ((c == '$' || c == '%') && i + 1 < len && s[i + 1] == '{') {
            /* Template sequences are escaped by doubling, as in HCL. */
            tern_buf_putc(out, (char)c);
            tern_buf_putc(out, (char)c);
        } else
            tern_buf_putc(out, (char)c);
    }
    tern_buf_putc(out, '"');
}

int cli_hcl_is_identifier(const char *s)
{
    size_t i;

    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (i = 1; s[i]; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

size_t cli_hcl_key_width(const char *k, int quoted)
{
    return strlen(k) + ((quoted || !cli_hcl_is_identifier(k)) ? 2 : 0);
}

void cli_hcl_key(tern_buf *out, const char *k, int quoted, size_t width)
{
    if (quoted || !cli_hcl_is_identifier(k))
        cli_hcl_string(out, k, strlen(k));
    else
        tern_buf_puts(out, k);
    if (width > cli_hcl_key_width(k, quoted))
        cli_hcl_indent(out, (int)(width - cli_hcl_key_width(k, quoted)));
}
