#include "s3_fixture.h"
#include "../unit/runner.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct tt_s3_fixture tt_s3fx;

void tt_s3_post(const char *what, const char *json)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "POST", what, json));
    if (resp.status != 200)
        FAIL("/_sim/%s: HTTP %ld: %s", what, resp.status, resp.body);
    tt_response_release(&resp);
}

void tt_s3_start(const char *load, const char *const *args)
{
    ASSERT_OK(tt_sim_start(&tt_s3fx.sim, args));
    tt_sim_env_init(&tt_s3fx.env, &tt_s3fx.sim);
    tt_s3_post("load", load);
}

const char *tt_s3_dir(const char *name, const char *config)
{
    static char dirs[4][4200];
    static int next;
    char *d = dirs[next++ % 4];

    snprintf(d, 4200, "%s/%s", tern_test_tmpdir(), name);
    if (mkdir(d, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s: %s", d, strerror(errno));
    ASSERT_OK(tt_write_file(d, "main.tf", config));
    return d;
}

void tt_s3_run(const char *dir, int status, const char *const *args)
{
    char *why = tt_run_expect(&tt_s3fx.run, dir, tt_s3fx.env.env, args, status);

    if (why)
        FAIL("%s", why);
}

json_t *tt_s3_dump(void)
{
    struct tt_response resp;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "dump", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    return doc;
}

char *tt_s3_object(const char *key)
{
    json_t *d = tt_s3_dump(), *objs, *o;
    char *body = NULL;
    size_t i;

    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(d, "s3"), "buckets"), 0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "key")), key) == 0)
            body = tern_strdup(json_string_value(json_object_get(o, "body")));
    }
    json_decref(d);
    return body;
}

void tt_s3_normalize(char *s)
{
    static const char *const labels[] = {
        "  ID:        ", "  Who:       ", "  Version:   ", "  Created:   ",
        "request id "};
    size_t i;

    for (i = 0; i < sizeof(labels) / sizeof(*labels); i++) {
        char *p = s;

        while ((p = strstr(p, labels[i])) != NULL) {
            char *v = p + strlen(labels[i]);
            char *end = v + strcspn(v, ",\n");

            memmove(v + 1, end, strlen(end) + 1);
            *v = '*';
            p = v + 1;
        }
    }
}

void *tt_s3_race(void *arg)
{
    struct tt_s3_racer *rc = arg;
    const char *args[] = {"apply", "-auto-approve", "-no-color",
                          "-lock-timeout=0s", NULL};

    tt_run_tern_env(&rc->run, rc->dir, NULL, tt_s3fx.env.env, args);
    return NULL;
}
