/* src/lang/key.c: object keys that are names (a providers map's). */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"
#include "util/buf.h"

static const char *const texts[] = {"aws",    "aws.dst", "google", "a.b.c",
                                    "a.b",    "b.c",     "ws.dst", "aws.ds",
                                    "awsdst", "1",       NULL};

/* For each key of the providers map of @file's first module block, the
 * texts it spells: "key: text text" a line. */
static char *spelled(const struct tern_lang_file *file)
{
    const struct tern_attribute *a =
        tern_lang_body_attr(file->body->blocks[0]->body, "providers");
    tern_buf b = TERN_BUF_INIT;
    size_t i, j;

    ASSERT_NOT_NULL(a);
    ASSERT_EQ(a->expr->kind, TERN_EXPR_OBJECT);
    for (i = 0; i < a->expr->u.object.n; i++) {
        tern_buf_printf(&b, "%zu:", i);
        for (j = 0; texts[j]; j++)
            if (tern_lang_key_is(a->expr->u.object.keys[i], texts[j]))
                tern_buf_printf(&b, " %s", texts[j]);
        tern_buf_puts(&b, "\n");
    }
    ASSERT_EQ(tern_buf_oom(&b), 0);
    return tern_buf_detach(&b);
}

/* A bare name is a literal key, NAME.ALIAS a traversal; both spell what
 * is written, nothing shorter or longer; an index or a number spells
 * nothing. */
TEST(lang_key, native_syntax)
{
    static const char text[] = "module \"m\" {\n"
                               "  source = \"./m\"\n"
                               "  providers = {\n"
                               "    aws = aws\n"
                               "    aws.dst = aws.west\n"
                               "    \"google\" = google\n"
                               "    a.b.c = x\n"
                               "    aws[\"dst\"] = y\n"
                               "    1 = z\n"
                               "  }\n"
                               "}\n";
    struct tern_lang_sources srcs = {0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_file *f = NULL;
    char *s;

    ASSERT_OK(
        tern_lang_parse_hcl(&srcs, "main.tf", text, sizeof(text) - 1, &f, &d));
    s = spelled(f);
    ASSERT_STR_EQ(s, "0: aws\n"
                     "1: aws.dst\n"
                     "2: google\n"
                     "3: a.b.c\n"
                     "4:\n"
                     "5:\n");
    tern_free(s);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
}

/* The JSON syntax parses a providers key as an expression: a bare name is
 * a variable reference there, and spells the same. */
TEST(lang_key, json_syntax)
{
    static const char text[] =
        "{\"module\": {\"m\": {\"source\": \"./m\", \"providers\": "
        "{\"aws\": \"aws\", \"aws.dst\": \"aws.west\", \"a.b.c\": \"x\"}}}}";
    struct tern_lang_sources srcs = {0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_file *f = NULL;
    char *s;

    ASSERT_OK(tern_lang_parse_json(&srcs, "main.tf.json", text,
                                   sizeof(text) - 1, &f, &d));
    ASSERT_EQ(tern_lang_body_attr(f->body->blocks[0]->body, "providers")
                  ->expr->u.object.keys[0]
                  ->kind,
              TERN_EXPR_VAR);
    s = spelled(f);
    ASSERT_STR_EQ(s, "0: aws\n"
                     "1: aws.dst\n"
                     "2: a.b.c\n");
    tern_free(s);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
}

const struct tern_test test_lang_key_list[] = {
    TEST_UNIT(lang_key, native_syntax),
    TEST_UNIT(lang_key, json_syntax),
    TEST_END,
};
