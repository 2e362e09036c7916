/*
 * Golden CLI cases: each directory tests/cases/cli/NNN-slug/ holds the
 * input files of a working directory (main.tf, state files, ...) and the
 * commands and what they must do. The format is described in
 * tests/cases/README.md; in short:
 *
 *   copy-from    optional: "SRC [DEST]" lines, directories of the source
 *                tree (an example, as published) copied into the working
 *                directory (or its DEST) before the case's own files
 *   cmd          one tern invocation per line (arguments separated by
 *                spaces; '...' quotes one argument; leading NAME=VALUE
 *                words set environment variables for that run, as in a
 *                shell; a "<FILE" word gives FILE, one of the case's
 *                files, on standard input; a leading "[N]" is the exit
 *                status a set-up line must have, 0 when absent). The
 *                last line is the one checked against expect/. A
 *                set-up line starting with "@" is the runner's own:
 *                "@cp FROM TO" copies a file of the working
 *                directory over another, "@rm PATH..." removes files
 *                or directories of it; @sim, @iam and @dbx are
 *                requests to the sim (sim_step).
 *   sim.json     the case runs against tern-sim: the sim is reset, this
 *                is POSTed to /_sim/load (its dump's shape, "{}" for an
 *                empty sim) and every command gets the sim's endpoints
 *                and credentials.
 *   expect/stdout, expect/stderr   both required, empty when the stream is
 *   expect/exit-code               default 0
 *   expect/calls            tern-sim's call log of the last command, one
 *                           "service action status [error]" a line, in
 *                           the order the sim logged them
 *   expect/calls-unordered  the same as a multiset (sorted lines), where
 *                           parallel operations leave the order open
 *   expect/N.calls, expect/N.calls-unordered   the same for the Nth
 *                           command line (the log cleared before it)
 *   expect/state, expect/N.state   `tern state pull` after the last (the
 *                           Nth) command
 *   expect/N.stdout, expect/N.stderr   optional: the outputs of the Nth
 *                           command line (a set-up line), from 1
 *   expect/files, expect/N.files   optional: the working directory's
 *                           entries, recursing, after the last (the Nth)
 *                           command
 *   expect/sim-PART, expect/N.sim-PART   part PART (iam, databricks, s3,
 *                           dynamodb) of the sim's dump after the last
 *                           (the Nth) command (iam: each list sorted by
 *                           name); sim-clusters: /_sim/clusters
 *
 * A cmd line starting with '@' (@sim, @iam, @dbx) is a request to the sim
 * between two commands: a change made outside tern (sim_step).
 *
 * Lineage UUIDs and timestamps are replaced by <UUID> and <TIME> before
 * comparing (in a case with a file number-uuids, the Nth distinct UUID by
 * <UUID-N>; in a case with a file mask-elapsed, "after 3s" by
 * "after Ns"; in a case with a file mask-random, the random values it
 * names by <ADDR.ATTR>), the state's serial by <SERIAL> and the sim's
 * address by <SIM>. TERN_UPDATE_GOLDEN=1
 * rewrites the expected files (calls and state only where they exist).
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_hex(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isxdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

/* In a case with a file number-uuids, the UUIDs seen so far, in the
 * order the runner met them (every command's outputs in turn, then the
 * dumps and the state): the Nth distinct one becomes <UUID-N>, so that a
 * case can say two lineages are the same (a migrated state) or differ. */
#define MAX_UUIDS 64
static struct {
    int on;
    size_t n;
    char seen[MAX_UUIDS][37];
} uuids;

/* The mask of the UUID at @p (36 characters) into @w: "<UUID>", or
 * "<UUID-N>" when numbering (never longer than 36). Its length. */
static size_t mask_uuid(char *w, const char *p)
{
    size_t i;
    char tag[24];

    if (!uuids.on) {
        memcpy(w, "<UUID>", 6);
        return 6;
    }
    for (i = 0; i < uuids.n; i++)
        if (strncasecmp(uuids.seen[i], p, 36) == 0)
            break;
    if (i == uuids.n) {
        if (uuids.n == MAX_UUIDS)
            FAIL("more than %d distinct UUIDs in a case", MAX_UUIDS);
        memcpy(uuids.seen[uuids.n], p, 36);
        uuids.seen[uuids.n++][36] = '\0';
    }
    snprintf(tag, sizeof(tag), "<UUID-%zu>", i + 1);
    memcpy(w, tag, strlen(tag));
    return strlen(tag);
}

/* Replace UUIDs and ISO timestamps, in place (never longer). */
static void normalise(char *s)
{
    char *w = s, *p = s;

    while (*p) {
        if (strlen(p) >= 36 && is_hex(p, 8) && p[8] == '-' &&
            is_hex(p + 9, 4) && p[13] == '-' && is_hex(p + 14, 4) &&
            p[18] == '-' && is_hex(p + 19, 4) && p[23] == '-' &&
            is_hex(p + 24, 12)) {
            w += mask_uuid(w, p);
            p += 36;
            continue;
        }
        if (strlen(p) >= 20 && isdigit((unsigned char)p[0]) &&
            isdigit((unsigned char)p[3]) && p[4] == '-' && p[7] == '-' &&
            p[10] == 'T' && p[13] == ':' && p[16] == ':') {
            const char *q = p + 19;

            while (*q == '.' || isdigit((unsigned char)*q))
                q++;
            if (*q == 'Z') {
                memcpy(w, "<TIME>", 6);
                w += 6;
                p = (char *)q + 1;
                continue;
            }
        }
        *w++ = *p++;
    }
    *w = '\0';
}

/* "after 12s" becomes "after Ns", in place (never longer): for a case
 * whose step takes a time that depends on the machine's load. */
static void mask_elapsed(char *s)
{
    char *w = s, *p = s;

    while (*p) {
        if (strncmp(p, "after ", 6) == 0 && isdigit((unsigned char)p[6])) {
            /* Past the digits first: w may be p. */
            for (p += 6; isdigit((unsigned char)*p); p++)
                ;
            memcpy(w, "after N", 7);
            w += 7;
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
}

/* In a case with a file mask-random, the random values met so far: each
 * line of that file, "ADDR ATTR...", names attributes of a random_*
 * resource whose value (in `tern state pull` after each command) becomes
 * "<ADDR.ATTR>" ("<ADDR.ATTR#2>" for the next distinct value, a
 * replacement's) wherever it stands as a whole token: an unseeded
 * random_id's or random_string's create prints it. */
#define MAX_MASKS 32
static struct {
    size_t n;
    char value[MAX_MASKS][256];
    char tag[MAX_MASKS][160];
} masks;

/* Why the value @value of a @type resource's attribute cannot be masked,
 * or NULL when it can: masking is for a random resource's value alone,
 * and one too short could stand for other text (the plan's words). */
static const char *mask_refusal(const char *type, const char *value)
{
    if (strncmp(type, "random_", 7) != 0)
        return "only a random_* resource's values are masked";
    if (strlen(value) < 8)
        return "a value shorter than 8 characters could hide other text";
    if (strlen(value) >= sizeof(masks.value[0]))
        return "a value of 256 characters or more";
    return NULL;
}

/* A character that continues a token (a random value's alphabet: base64,
 * base64url, hex, decimal, random_string's letters and digits). */
static int token_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '_' ||
           c == '-';
}

/* @text with every whole-token occurrence of a masked value replaced by
 * its tag: neither neighbour continues the token, so a value inside a
 * longer token, or a part of one, stays; where two values match, the
 * longer one (a random_id's b64_std, its b64_url and a '='). A new string
 * (free()). */
static char *apply_masks(const char *text)
{
    size_t len = strlen(text), cap = len + 1, n = 0, i, k, j;
    char *out;

    for (k = 0; k < masks.n; k++)
        cap += len / strlen(masks.value[k]) * strlen(masks.tag[k]);
    out = malloc(cap);
    ASSERT_NOT_NULL(out);
    for (i = 0; i < len;) {
        for (j = 0, k = masks.n; j < masks.n; j++) {
            size_t m = strlen(masks.value[j]);

            if (strncmp(text + i, masks.value[j], m) == 0 &&
                (i == 0 || !token_char(text[i - 1])) &&
                !token_char(text[i + m]) &&
                (k == masks.n || m > strlen(masks.value[k])))
                k = j;
        }
        if (k < masks.n) {
            memcpy(out + n, masks.tag[k], strlen(masks.tag[k]));
            n += strlen(masks.tag[k]);
            i += strlen(masks.value[k]);
        } else {
            out[n++] = text[i++];
        }
    }
    out[n] = '\0';
    return out;
}

/* *@text masked (apply_masks), in place of the old string. */
static void mask_in_place(char **text)
{
    char *masked;

    if (!masks.n || !*text)
        return;
    masked = apply_masks(*text);
    free(*text);
    *text = masked;
}

/* The value of @addr's (TYPE.NAME, one instance) attribute @attr in the
 * state @st, added to the masks (a new value of the same attribute gets
 * the next number). */
static void add_mask(const char *slug, json_t *st, const char *addr,
                     const char *attr)
{
    const char *dot = strchr(addr, '.'), *value, *why;
    char tag[128];
    json_t *r;
    size_t i, k, same = 0;

    if (!dot || strchr(dot + 1, '.') || strchr(addr, '['))
        FAIL("%s: mask-random: '%s' is not TYPE.NAME", slug, addr);
    json_array_foreach(json_object_get(st, "resources"), i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *name = json_string_value(json_object_get(r, "name"));
        json_t *inst = json_array_get(json_object_get(r, "instances"), 0);

        if (!type || !name || strlen(type) != (size_t)(dot - addr) ||
            strncmp(addr, type, strlen(type)) != 0 || strcmp(dot + 1, name))
            continue;
        value = json_string_value(
            json_object_get(json_object_get(inst, "attributes"), attr));
        if (!value)
            FAIL("%s: mask-random: %s has no string %s", slug, addr, attr);
        if ((why = mask_refusal(type, value)) != NULL)
            FAIL("%s: mask-random: %s.%s: %s", slug, addr, attr, why);
        snprintf(tag, sizeof(tag), "<%s.%s", addr, attr);
        for (k = 0; k < masks.n; k++) {
            if (strcmp(masks.value[k], value) == 0)
                return;
            same += strncmp(masks.tag[k], tag, strlen(tag)) == 0 &&
                    (masks.tag[k][strlen(tag)] == '>' ||
                     masks.tag[k][strlen(tag)] == '#');
        }
        if (masks.n == MAX_MASKS)
            FAIL("%s: more than %d masked values", slug, MAX_MASKS);
        memcpy(masks.value[masks.n], value, strlen(value) + 1);
        if (same)
            snprintf(masks.tag[masks.n], sizeof(masks.tag[0]), "%s#%zu>", tag,
                     same + 1);
        else
            snprintf(masks.tag[masks.n], sizeof(masks.tag[0]), "%s>", tag);
        masks.n++;
        return;
    }
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *text;
    struct stat st;
    FILE *f;

    /* A symbolic link stays one, pointing where it did (a state path
     * that is a dangling link). */
    if (lstat(from, &st) == 0 && S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(from, target, sizeof(target) - 1);

        if (n < 0)
            FAIL("readlink %s", from);
        target[n] = '\0';
        if (symlink(target, to) != 0)
            FAIL("symlink %s", to);
        return;
    }
    /* A directory (a child module's) is copied whole. */
    if (stat(from, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(from);
        struct dirent *de;
        char a[4096], b[4096];

        /* It may be there already, made by copy-from. */
        if (!d || (mkdir(to, 0755) != 0 && errno != EEXIST))
            FAIL("copy %s", from);
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
            snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
            copy_file(a, b);
        }
        closedir(d);
        return;
    }
    text = tt_read_file(from, &len);
    if (!text)
        FAIL("read %s", from);
    f = fopen(to, "w");
    if (!f || fwrite(text, 1, len, f) != len)
        FAIL("write %s", to);
    fclose(f);
    free(text);
}

/* Split a command line into arguments (static storage, NULL-terminated). */
static const char **split(char *line)
{
    static const char *args[64];
    size_t n = 0;
    char *p = line;

    while (*p && n < 63) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p == '\'') {
            args[n++] = ++p;
            while (*p && *p != '\'')
                p++;
        } else {
            args[n++] = p;
            while (*p && *p != ' ')
                p++;
        }
        if (*p)
            *p++ = '\0';
    }
    args[n] = NULL;
    return args;
}

/* NAME=VALUE with NAME starting with a capital (TF_CLI_ARGS_plan): an
 * environment assignment; commands start with a small letter. */
static int is_assignment(const char *arg)
{
    const char *p = arg;

    if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
        return 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
           (*p >= '0' && *p <= '9'))
        p++;
    return *p == '=';
}

static int compare(const char *casedir, const char *name, const char *got)
{
    char path[4096];
    char *want;
    int update = getenv("TERN_UPDATE_GOLDEN") != NULL;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    want = tt_read_file(path, NULL);
    if (!want && !update) {
        /* A case says what both streams hold, empty included: a file
         * left out would silently skip the comparison. */
        fprintf(stderr,
                "# %s: no expect/%s (record it with TERN_UPDATE_GOLDEN=1)\n",
                casedir, name);
        return 1;
    }
    if (update) {
        FILE *f;

        snprintf(path, sizeof(path), "%s/expect", casedir);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
        f = fopen(path, "w");
        if (f) {
            fputs(got, f);
            fclose(f);
        }
        free(want);
        return 0;
    }
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "# %s: %s differs\n--- expected\n%s--- got\n%s---\n",
                casedir, name, want, got);
        free(want);
        return 1;
    }
    free(want);
    return 0;
}

/* The shard's tern-sim, started by the first case that has a sim.json. */
static struct tt_sim case_sim;
static int case_sim_up;

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sim's call log, one "service action status [error]" a line; sorted
 * when @sorted. A new string (free()). */
static char *sim_calls(int sorted)
{
    struct tt_response r;
    json_t *root, *calls, *c;
    size_t i, n, len = 0;
    char **lines, *out;

    if (tt_sim_control(&r, &case_sim, "GET", "calls", NULL) != 0 ||
        r.status != 200)
        FAIL("GET /_sim/calls: %ld", r.status);
    root = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    calls = json_object_get(root, "calls");
    n = json_array_size(calls);
    lines = calloc(n + 1, sizeof(*lines));
    ASSERT_NOT_NULL(lines);
    json_array_foreach(calls, i, c)
    {
        const char *err = json_string_value(json_object_get(c, "error_code"));
        char buf[512];

        snprintf(buf, sizeof(buf), "%s %s %lld%s%s\n",
                 json_string_value(json_object_get(c, "service")),
                 json_string_value(json_object_get(c, "action")),
                 (long long)json_integer_value(json_object_get(c, "status")),
                 err && *err ? " " : "", err && *err ? err : "");
        lines[i] = strdup(buf);
        len += strlen(buf);
    }
    json_decref(root);
    if (sorted)
        qsort(lines, n, sizeof(*lines), cmp_lines);
    out = calloc(len + 1, 1);
    ASSERT_NOT_NULL(out);
    for (i = 0; i < n; i++) {
        strcat(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
    return out;
}

static int cmp_named(const void *a, const void *b)
{
    const char *x =
        json_string_value(json_object_get(*(json_t *const *)a, "name"));
    const char *y =
        json_string_value(json_object_get(*(json_t *const *)b, "name"));

    return strcmp(x ? x : "", y ? y : "");
}

/* The sim's IAM objects (its dump's "iam"), each list sorted by name, as
 * parallel creates leave the sim's own order open. A new string (free()). */
/* The sim's IAM lists, each sorted by name (the dump keeps creation
 * order, which parallel commands leave open). */
static void sort_iam(json_t *iam)
{
    static const char *const lists[] = {"roles", "instance_profiles",
                                        "policies"};
    size_t i, k;

    ASSERT_NOT_NULL(iam);
    for (k = 0; k < 3; k++) {
        json_t *list = json_object_get(iam, lists[k]), *sorted = json_array();
        size_t n = json_array_size(list);
        json_t **items = calloc(n + 1, sizeof(*items));

        ASSERT_NOT_NULL(items);
        for (i = 0; i < n; i++)
            items[i] = json_array_get(list, i);
        qsort(items, n, sizeof(*items), cmp_named);
        for (i = 0; i < n; i++)
            json_array_append(sorted, items[i]);
        free(items);
        json_object_set_new(iam, lists[k], sorted);
    }
}

/* `"serial": N` becomes `"serial": <SERIAL>`, in place: @s has room for
 * 8 more characters. */
static void mask_serial(char *s)
{
    char *q = strstr(s, "\"serial\": "), *e;

    if (!q)
        return;
    q += strlen("\"serial\": ");
    for (e = q; isdigit((unsigned char)*e);)
        e++;
    memmove(q + 8, e, strlen(e) + 1);
    memcpy(q, "<SERIAL>", 8);
}

/* An optional comparison (expect/@name), done only when the file exists. */
static int compare_optional(const char *casedir, const char *name,
                            const char *got)
{
    char path[12288];
    struct stat st;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    if (stat(path, &st) != 0)
        return 0;
    return compare(casedir, name, got);
}

static int has_expect(const char *casedir, const char *name)
{
    char path[12288];
    struct stat st;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    return stat(path, &st) == 0;
}

/* The sim's address ("http://127.0.0.1:PORT", a new port each run)
 * becomes <SIM>, in place (never longer). */
static void mask_sim(char *s)
{
    size_t n = strlen(case_sim.base_url);
    char *w = s, *p = s;

    while (*p) {
        if (strncmp(p, case_sim.base_url, n) == 0) {
            memcpy(w, "<SIM>", 5);
            w += 5;
            p += n;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

/* In a dump: an integer under a key ending in "timestamp", "_ms" or
 * "_time" (a time in milliseconds: a cluster's start_time) or named
 * "time" (seconds: a state's history)
 * becomes "<TIME>", an S3 object's "etag" (the MD5 of a body that may
 * hold a lineage) "<ETAG>", at any depth; an S3 object's "body" that is a
 * JSON object (a state) is shown as that object, masked the same way. */
static void mask_dump(json_t *j)
{
    const char *key;
    json_t *v;
    size_t i, n;

    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            mask_dump(v);
        }
        return;
    }
    json_object_foreach(j, key, v)
    {
        n = strlen(key);
        if (json_is_integer(v) &&
            ((n >= 9 && strcmp(key + n - 9, "timestamp") == 0) ||
             (n >= 3 && strcmp(key + n - 3, "_ms") == 0) ||
             (n >= 5 && strcmp(key + n - 5, "_time") == 0) ||
             strcmp(key, "time") == 0))
            json_object_set_new(j, key, json_string("<TIME>"));
        else if (strcmp(key, "body") == 0 && json_is_string(v) &&
                 json_string_value(v)[0] == '{') {
            json_t *doc = json_loads(json_string_value(v), 0, NULL);

            if (doc) {
                mask_dump(doc);
                json_object_set_new(j, key, doc);
            }
        } else if (strcmp(key, "etag") == 0 && json_is_string(v))
            json_object_set_new(j, key, json_string("<ETAG>"));
        else
            mask_dump(v);
    }
}

/* Part @part ("iam", "databricks", "s3", "dynamodb") of the sim's dump,
 * keys sorted, indented by two, masked (mask_dump). A new string
 * (free()). */
static char *sim_dump_part(const char *part)
{
    struct tt_response r;
    json_t *root;
    char *text, *out;

    /* "clusters": the Databricks clusters, with their states and
     * start-up settings, which the dump leaves out (/_sim/clusters). */
    int whole = strcmp(part, "clusters") == 0;

    if (tt_sim_control(&r, &case_sim, "GET", whole ? "clusters" : "dump",
                       NULL) != 0 ||
        r.status != 200)
        FAIL("GET /_sim/%s: %ld", whole ? "clusters" : "dump", r.status);
    root = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(root);
    if (strcmp(part, "iam") == 0)
        sort_iam(json_object_get(root, "iam"));
    mask_dump(root);
    text = json_dumps(whole ? root : json_object_get(root, part),
                      JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(root);
    ASSERT_NOT_NULL(text);
    out = malloc(strlen(text) + 2);
    ASSERT_NOT_NULL(out);
    strcpy(out, text);
    strcat(out, "\n");
    free(text); /* allocated by jansson */
    normalise(out);
    mask_sim(out);
    return out;
}

/* Reset the shard's sim (starting it first if need be) and load @seed. */
static void sim_prepare(const char *seed_path)
{
    struct tt_response r;
    char *seed = tt_read_file(seed_path, NULL);

    if (!seed)
        FAIL("read %s", seed_path);
    if (!case_sim_up) {
        if (tt_sim_start(&case_sim, NULL) != 0)
            FAIL("tern-sim did not start");
        case_sim_up = 1;
    }
    if (tt_sim_control(&r, &case_sim, "POST", "reset", "{}") != 0 ||
        r.status != 200)
        FAIL("POST /_sim/reset: %ld", r.status);
    tt_response_release(&r);
    if (tt_sim_control(&r, &case_sim, "POST", "load", seed) != 0 ||
        r.status != 200)
        FAIL("POST /_sim/load %s: %ld %s", seed_path, r.status,
             r.body ? r.body : "");
    tt_response_release(&r);
    free(seed);
}

static void sim_clear_calls(void)
{
    struct tt_response r;

    if (tt_sim_control(&r, &case_sim, "DELETE", "calls", NULL) != 0 ||
        r.status != 200)
        FAIL("DELETE /_sim/calls: %ld", r.status);
    tt_response_release(&r);
}

/* A "<FILE" word of @args: taken out, and FILE (of the working directory
 * @work) read, for the command's standard input. NULL when there is none
 * (the command gets an empty standard input). */
static char *take_input(const char **args, const char *work)
{
    char path[8192];
    char *text;
    size_t i;

    for (i = 0; args[i] && args[i][0] != '<'; i++)
        ;
    if (!args[i])
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", work, args[i] + 1);
    text = tt_read_file(path, NULL);
    if (!text)
        FAIL("read %s", path);
    for (; args[i]; i++)
        args[i] = args[i + 1];
    return text;
}

/* The entries of @work's directory @rel ("" for @work itself) and,
 * recursing, of its subdirectories, each a line "REL/NAME" added to
 * @names (at most 256): a directory's with a trailing '/', a symbolic
 * link's followed by " -> TARGET" (not followed). */
static void list_entries(const char *work, const char *rel, char **names,
                         size_t *n, size_t *len)
{
    char path[8192], target[4096], sub[4096];
    struct dirent *de;
    struct stat st;
    size_t k;
    DIR *d;

    snprintf(path, sizeof(path), "%s/%s", work, rel);
    d = opendir(path);
    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (*n == 256)
            FAIL("more than 256 entries in %s", work);
        snprintf(sub, sizeof(sub), "%s%s", rel, de->d_name);
        snprintf(path, sizeof(path), "%s/%s", work, sub);
        target[0] = '\0';
        memset(&st, 0, sizeof(st));
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            ssize_t m = readlink(path, target, sizeof(target) - 1);

            target[m < 0 ? 0 : m] = '\0';
        }
        k = strlen(sub) + strlen(target) + 8;
        names[*n] = malloc(k);
        ASSERT_NOT_NULL(names[*n]);
        snprintf(names[*n], k, "%s%s%s%s\n", sub,
                 S_ISDIR(st.st_mode) ? "/" : "",
                 S_ISLNK(st.st_mode) ? " -> " : "", target);
        *len += strlen(names[(*n)++]);
        if (S_ISDIR(st.st_mode)) {
            strcat(sub, "/");
            list_entries(work, sub, names, n, len);
        }
    }
    closedir(d);
}

/* The working directory's entries, recursing, one path a line, sorted
 * (list_entries). A new string (free()). */
static char *work_files(const char *work)
{
    char *names[256], *out;
    size_t n = 0, i, len = 1;

    list_entries(work, "", names, &n, &len);
    qsort(names, n, sizeof(names[0]), cmp_lines);
    out = calloc(len, 1);
    ASSERT_NOT_NULL(out);
    for (i = 0; i < n; i++) {
        strcat(out, names[i]);
        free(names[i]);
    }
    mask_in_place(&out);
    return out;
}

/* expect/@name (files, N.files) against the working directory's entries,
 * when the case has it. */
static int compare_files(const char *casedir, const char *name,
                         const char *work)
{
    char *files;
    int failed;

    if (!has_expect(casedir, name))
        return 0;
    files = work_files(work);
    failed = compare(casedir, name, files);
    free(files);
    return failed;
}

/* A set-up line's outputs, where the case has expect/N.stdout or
 * expect/N.stderr (N: the line's number among the command lines, from 1):
 * one case can then check every command of a sequence. Normalised as the
 * last command's, mask-elapsed included. */
static int compare_step(const char *casedir, int step, struct tt_run *r,
                        int use_sim)
{
    char name[32], path[8704];
    struct stat st;
    int failed = 0;

    normalise(r->out);
    normalise(r->err);
    snprintf(path, sizeof(path), "%s/mask-elapsed", casedir);
    if (stat(path, &st) == 0) {
        mask_elapsed(r->out);
        mask_elapsed(r->err);
    }
    if (use_sim) {
        mask_sim(r->out);
        mask_sim(r->err);
    }
    snprintf(name, sizeof(name), "%d.stdout", step);
    failed |= compare_optional(casedir, name, r->out);
    snprintf(name, sizeof(name), "%d.stderr", step);
    failed |= compare_optional(casedir, name, r->err);
    return failed;
}

/*
 * A set-up line starting with '@': what happens outside tern between two
 * commands, against the case's sim, which must answer 200:
 *   @sim METHOD PATH [BODY]   tern-sim's control, /_sim/PATH
 *   @iam ACTION NAME=VALUE... a signed IAM Query call (the default key)
 *   @dbx METHOD PATH [BODY]   a Databricks REST call (the default token)
 */
static int sim_step(const char *slug, char *line)
{
    static const char *const hdr[] = {
        "Authorization: Bearer dapi-ternsim-default-token-0001", NULL};
    const char **a = split(line), *params[64];
    struct tt_response r;
    char url[4096];
    size_t i, n = 0;
    int rc = -1;

    if (a[0] && a[1] && a[2] && strcmp(a[0], "sim") == 0) {
        rc = tt_sim_control(&r, &case_sim, a[1], a[2], a[3]);
    } else if (a[0] && a[1] && strcmp(a[0], "iam") == 0) {
        for (i = 2; a[i] && n < 62; i++) {
            char *eq = strchr(a[i], '=');

            if (!eq)
                FAIL("%s: @iam %s: '%s' is not NAME=VALUE", slug, a[1], a[i]);
            *eq = '\0';
            params[n++] = a[i];
            params[n++] = eq + 1;
        }
        params[n] = NULL;
        rc = tt_iam(&r, &case_sim, a[1], params);
    } else if (a[0] && a[1] && a[2] && strcmp(a[0], "dbx") == 0) {
        snprintf(url, sizeof(url), "%s%s", case_sim.base_url, a[2]);
        rc = tt_http(&r, a[1], url, hdr, a[3], a[3] ? strlen(a[3]) : 0);
    } else {
        FAIL("%s: unknown '@' line in cmd", slug);
    }
    if (rc != 0)
        FAIL("%s: @%s %s: no answer from the sim", slug, a[0], a[1]);
    rc = r.status != 200;
    if (rc)
        fprintf(stderr, "# %s: @%s %s: HTTP %ld: %s\n", slug, a[0], a[1],
                r.status, r.body ? r.body : "");
    tt_response_release(&r);
    return rc;
}

/* "@cp FROM TO": a file of the working directory @work copied over
 * another, a configuration changed between two commands. */
static void cp_step(const char *slug, const char *work, char *line)
{
    char from[8192], to[8192];
    const char **args = split(line);

    if (!args[0] || !args[1] || args[2])
        FAIL("%s: @cp takes FROM and TO", slug);
    snprintf(from, sizeof(from), "%s/%s", work, args[0]);
    snprintf(to, sizeof(to), "%s/%s", work, args[1]);
    copy_file(from, to);
}

/* Remove @path (a file, or a directory with everything under it). */
static void remove_tree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        FAIL("@rm %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        char sub[8192];

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            remove_tree(sub);
        }
        closedir(d);
        if (rmdir(path) != 0)
            FAIL("@rm %s: %s", path, strerror(errno));
    } else if (unlink(path) != 0) {
        FAIL("@rm %s: %s", path, strerror(errno));
    }
}

/* "@rm PATH...": files or directories of the working directory @work
 * removed (a local state deleted by hand between two commands). */
static void rm_step(const char *slug, const char *work, char *line)
{
    char path[8192];
    const char **args = split(line);
    size_t i;

    if (!args[0])
        FAIL("%s: @rm takes one path or more", slug);
    for (i = 0; args[i]; i++) {
        if (args[i][0] == '/' || strstr(args[i], ".."))
            FAIL("%s: @rm %s: not inside the working directory", slug, args[i]);
        snprintf(path, sizeof(path), "%s/%s", work, args[i]);
        remove_tree(path);
    }
}

/* expect/N.sim-PART for each part of the sim's dump the case has one of,
 * after the Nth command line (@step). */
static int compare_step_dumps(const char *casedir, int step)
{
    static const char *const parts[] = {"iam", "databricks", "s3", "dynamodb",
                                        "clusters"};
    char name[48];
    int failed = 0;
    size_t k;

    for (k = 0; k < 5; k++) {
        char *dump;

        snprintf(name, sizeof(name), "%d.sim-%s", step, parts[k]);
        if (!has_expect(casedir, name))
            continue;
        dump = sim_dump_part(parts[k]);
        failed |= compare(casedir, name, dump);
        free(dump);
    }
    return failed;
}

/* A case file copy-from: each line "SRC [DEST]" copies the files of the
 * source tree's directory SRC (an example, as published) into the working
 * directory's DEST (".", created when absent), before the case's own
 * files, which may add to them or replace one. */
static void copy_from(const char *casedir, const char *slug, const char *work)
{
    char path[12288], from[16384], to[16384], dest[8192];
    char *text, *line, *next;
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof(path), "%s/copy-from", casedir);
    text = tt_read_file(path, NULL);
    if (!text)
        return;
    for (line = text; line && *line; line = next) {
        const char **a;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0' || *line == '#')
            continue;
        a = split(line);
        if (!a[0] || a[0][0] == '/' || strstr(a[0], "..") ||
            (a[1] && (a[1][0] == '/' || strstr(a[1], ".."))))
            FAIL("%s: copy-from: '%s' is not SRC [DEST] inside the tree", slug,
                 line);
        snprintf(dest, sizeof(dest), "%s/%s", work, a[1] ? a[1] : ".");
        if (mkdir(dest, 0755) != 0 && errno != EEXIST)
            FAIL("mkdir %s: %s", dest, strerror(errno));
        snprintf(path, sizeof(path), "%s/%s", tern_test_source_dir(), a[0]);
        d = opendir(path);
        if (!d)
            FAIL("%s: copy-from %s: %s", slug, a[0], strerror(errno));
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(from, sizeof(from), "%s/%s", path, de->d_name);
            snprintf(to, sizeof(to), "%s/%s", dest, de->d_name);
            copy_file(from, to);
        }
        closedir(d);
    }
    free(text);
}

/* Whether the case has expect/N.calls or N.calls-unordered for the Nth
 * command line (@step). */
static int step_has_calls(const char *casedir, int step)
{
    char name[48];

    snprintf(name, sizeof(name), "%d.calls", step);
    if (has_expect(casedir, name))
        return 1;
    snprintf(name, sizeof(name), "%d.calls-unordered", step);
    return has_expect(casedir, name);
}

/* expect/N.calls and N.calls-unordered: the calls the sim logged during
 * the Nth command line (@step; the log is cleared before it). */
static int compare_step_calls(const char *casedir, int step)
{
    char name[48], *calls;
    int failed = 0;

    if (!step_has_calls(casedir, step))
        return 0;
    calls = sim_calls(0);
    snprintf(name, sizeof(name), "%d.calls", step);
    failed |= compare_optional(casedir, name, calls);
    free(calls);
    calls = sim_calls(1);
    snprintf(name, sizeof(name), "%d.calls-unordered", step);
    failed |= compare_optional(casedir, name, calls);
    free(calls);
    return failed;
}

/* expect/@name (state, N.state), where the case has it: `tern state
 * pull` in @work, with the sim's environment @env (NULL without). */
static int compare_state(const char *casedir, const char *name,
                         const char *slug, const char *work,
                         const char *const *env)
{
    static const char *const pull[] = {"state", "pull", NULL};
    struct tt_run sp = {NULL, NULL, 0};
    char *text;
    int failed;

    if (!has_expect(casedir, name))
        return 0;
    if (tt_run_tern_env(&sp, work, NULL, env, pull) != 0 || sp.status != 0)
        FAIL("%s: state pull: %d %s", slug, sp.status, sp.err);
    mask_in_place(&sp.out);
    text = malloc(strlen(sp.out) + 16);
    ASSERT_NOT_NULL(text);
    strcpy(text, sp.out);
    normalise(text);
    mask_serial(text);
    if (env)
        mask_sim(text);
    failed = compare(casedir, name, text);
    free(text);
    tt_run_release(&sp);
    return failed;
}

/* In a case with a file mask-random: the values it names, read from
 * `tern state pull` in @work (with the sim's environment @env, or NULL)
 * after a command, added to the masks (a resource not in the state yet
 * adds nothing). */
static void collect_masks(const char *casedir, const char *slug,
                          const char *work, const char *const *env)
{
    static const char *const pull[] = {"state", "pull", NULL};
    struct tt_run sp = {NULL, NULL, 0};
    char path[8448], *rules, *line, *next;
    json_t *st;

    snprintf(path, sizeof(path), "%s/mask-random", casedir);
    rules = tt_read_file(path, NULL);
    if (!rules)
        return;
    if (tt_run_tern_env(&sp, work, NULL, env, pull) != 0 || sp.status != 0)
        FAIL("%s: state pull: %d %s", slug, sp.status, sp.err);
    st = json_loads(sp.out, 0, NULL);
    for (line = rules; st && line && *line; line = next) {
        const char **a;
        size_t i;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0' || *line == '#')
            continue;
        a = split(line);
        if (!a[0] || !a[1])
            FAIL("%s: mask-random: '%s' is not ADDR ATTR...", slug, a[0]);
        for (i = 1; a[i]; i++)
            add_mask(slug, st, a[0], a[i]);
    }
    json_decref(st);
    tt_run_release(&sp);
    free(rules);
}

static int run_case(const char *casedir, const char *slug)
{
    char work[4096], path[8704], from[8704], code[32];
    char *cmd, *line, *next;
    struct dirent *de;
    struct tt_run r = {NULL, NULL, 0};
    struct tt_sim_env senv;
    struct stat st;
    DIR *d;
    int failed = 0, use_sim, step = 0;

    snprintf(work, sizeof(work), "%s/%s", tern_test_tmpdir(), slug);
    if (mkdir(work, 0755) != 0)
        FAIL("mkdir %s: %s", work, strerror(errno));
    copy_from(casedir, slug, work);
    d = opendir(casedir);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "cmd") == 0 ||
            strcmp(de->d_name, "copy-from") == 0 ||
            strcmp(de->d_name, "expect") == 0 ||
            strcmp(de->d_name, "sim.json") == 0 ||
            strcmp(de->d_name, "mask-elapsed") == 0 ||
            strcmp(de->d_name, "mask-random") == 0 ||
            strcmp(de->d_name, "number-uuids") == 0)
            continue;
        snprintf(from, sizeof(from), "%s/%s", casedir, de->d_name);
        snprintf(path, sizeof(path), "%s/%s", work, de->d_name);
        copy_file(from, path);
    }
    closedir(d);
    snprintf(path, sizeof(path), "%s/number-uuids", casedir);
    uuids.on = stat(path, &st) == 0;
    uuids.n = 0;
    masks.n = 0;
    snprintf(path, sizeof(path), "%s/sim.json", casedir);
    use_sim = stat(path, &st) == 0;
    if (use_sim) {
        sim_prepare(path);
        tt_sim_env_init(&senv, &case_sim);
    }
    snprintf(path, sizeof(path), "%s/cmd", casedir);
    cmd = tt_read_file(path, NULL);
    if (!cmd)
        FAIL("%s: no cmd file", casedir);
    for (line = cmd; line && *line; line = next) {
        int want_status = 0, last;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0' || *line == '#')
            continue;
        last = !(next && *next);
        if (line[0] == '@') {
            if (last)
                FAIL("%s: the last line must run tern", slug);
            if (strncmp(line, "@cp ", 4) == 0) {
                cp_step(slug, work, line + 4);
                continue;
            }
            if (strncmp(line, "@rm ", 4) == 0) {
                rm_step(slug, work, line + 4);
                continue;
            }
            if (!use_sim)
                FAIL("%s: an '@' line to the sim needs sim.json", slug);
            failed |= sim_step(slug, line + 1);
            continue;
        }
        if (line[0] == '[') {
            want_status = atoi(line + 1);
            line = strchr(line, ']');
            if (!line)
                FAIL("%s: '[' without ']' in cmd", slug);
            line++;
        }
        tt_run_release(&r);
        if (use_sim && (last || step_has_calls(casedir, step + 1)))
            sim_clear_calls();
        {
            const char **args = split(line), *env[TT_SIM_ENV_MAX + 16];
            size_t n = 0, k;
            char *input;

            if (use_sim)
                for (k = 0; senv.env[k]; k++)
                    env[n++] = senv.env[k];
            while (args[0] && n < TT_SIM_ENV_MAX + 15 && is_assignment(args[0]))
                env[n++] = *args++;
            env[n] = NULL;
            input = take_input(args, work);
            if (tt_run_tern_env(&r, work, input, env, args) != 0)
                FAIL("running tern for %s", slug);
            free(input);
            collect_masks(casedir, slug, work, use_sim ? senv.env : NULL);
            mask_in_place(&r.out);
            mask_in_place(&r.err);
        }
        step++;
        if (!last && r.status != want_status) {
            fprintf(stderr, "# %s: set-up step exit %d, expected %d:\n%s%s",
                    slug, r.status, want_status, r.out, r.err);
            failed = 1;
        }
        if (!last)
            failed |= compare_step(casedir, step, &r, use_sim);
        if (!last) {
            char name[32];

            snprintf(name, sizeof(name), "%d.files", step);
            failed |= compare_files(casedir, name, work);
            if (use_sim) {
                failed |= compare_step_dumps(casedir, step);
                failed |= compare_step_calls(casedir, step);
            }
            snprintf(name, sizeof(name), "%d.state", step);
            failed |= compare_state(casedir, name, slug, work,
                                    use_sim ? senv.env : NULL);
        }
    }
    normalise(r.out);
    normalise(r.err);
    snprintf(path, sizeof(path), "%s/mask-elapsed", casedir);
    if (stat(path, &st) == 0) {
        mask_elapsed(r.out);
        mask_elapsed(r.err);
    }
    if (use_sim) {
        mask_sim(r.out);
        mask_sim(r.err);
    }
    snprintf(code, sizeof(code), "%d\n", r.status);
    failed |= compare_files(casedir, "files", work);
    failed |= compare(casedir, "stdout", r.out);
    failed |= compare(casedir, "stderr", r.err);
    snprintf(path, sizeof(path), "%s/expect/exit-code", casedir);
    {
        char *want = tt_read_file(path, NULL);

        if (getenv("TERN_UPDATE_GOLDEN"))
            failed |= compare(casedir, "exit-code", code);
        else if (atoi(want ? want : "0") != r.status) {
            fprintf(stderr, "# %s: exit %d, expected %s\n", slug, r.status,
                    want ? want : "0");
            failed = 1;
        }
        free(want);
    }
    if (has_expect(casedir, "calls") ||
        has_expect(casedir, "calls-unordered")) {
        char *calls;

        if (!use_sim)
            FAIL("%s: expect/calls without sim.json", slug);
        calls = sim_calls(0);
        failed |= compare_optional(casedir, "calls", calls);
        free(calls);
        calls = sim_calls(1);
        failed |= compare_optional(casedir, "calls-unordered", calls);
        free(calls);
    }
    {
        static const char *const parts[] = {"iam", "databricks", "s3",
                                            "dynamodb", "clusters"};
        char name[32];
        size_t k;

        for (k = 0; k < 5; k++) {
            char *dump;

            snprintf(name, sizeof(name), "sim-%s", parts[k]);
            if (!has_expect(casedir, name))
                continue;
            if (!use_sim)
                FAIL("%s: expect/%s without sim.json", slug, name);
            dump = sim_dump_part(parts[k]);
            failed |= compare(casedir, name, dump);
            free(dump);
        }
    }
    failed |=
        compare_state(casedir, "state", slug, work, use_sim ? senv.env : NULL);
    tt_run_release(&r);
    free(cmd);
    return failed;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every CLI_SHARDS-th case, from @shard: sixteen shards, so that none
 * nears the runner's 120 s limit under ASan on a loaded machine (three
 * did not with 134 cases, some of 15 and more commands, nor eight at a
 * load of 30 on two cores). */
#define CLI_SHARDS 16

static void run_shard(size_t shard)
{
    char dir[4096], casedir[8192];
    char *names[1024];
    size_t n = 0, i;
    struct dirent *de;
    DIR *d;
    int failed = 0;
    const char *only = getenv("TERN_CASES");

    snprintf(dir, sizeof(dir), "%s/tests/cases/cli", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') {
            /* A case past the table would go unrun, silently. */
            if (n == sizeof(names) / sizeof(names[0]))
                FAIL("more than %zu cli cases: enlarge names[]", n);
            names[n++] = strdup(de->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (i = 0; i < n; i++) {
        snprintf(casedir, sizeof(casedir), "%s/%s", dir, names[i]);
        if (i % CLI_SHARDS == shard &&
            (!only || fnmatch(only, names[i], 0) == 0) &&
            run_case(casedir, names[i])) {
            fprintf(stderr, "# FAILED: %s\n", names[i]);
            failed++;
        }
        free(names[i]);
    }
    if (case_sim_up) {
        tt_sim_stop(&case_sim);
        case_sim_up = 0;
    }
    ASSERT_CMP(n, >, 0);
    ASSERT_EQ(failed, 0);
}

TEST(cli_cases, golden_1)
{
    run_shard(0);
}

TEST(cli_cases, golden_2)
{
    run_shard(1);
}

TEST(cli_cases, golden_3)
{
    run_shard(2);
}

TEST(cli_cases, golden_4)
{
    run_shard(3);
}

TEST(cli_cases, golden_5)
{
    run_shard(4);
}

TEST(cli_cases, golden_6)
{
    run_shard(5);
}

TEST(cli_cases, golden_7)
{
    run_shard(6);
}

TEST(cli_cases, golden_8)
{
    run_shard(7);
}

TEST(cli_cases, golden_9)
{
    run_shard(8);
}

TEST(cli_cases, golden_10)
{
    run_shard(9);
}

TEST(cli_cases, golden_11)
{
    run_shard(10);
}

TEST(cli_cases, golden_12)
{
    run_shard(11);
}

TEST(cli_cases, golden_13)
{
    run_shard(12);
}

TEST(cli_cases, golden_14)
{
    run_shard(13);
}

TEST(cli_cases, golden_15)
{
    run_shard(14);
}

TEST(cli_cases, golden_16)
{
    run_shard(15);
}

/* mask-random hides a random value where it stands whole, and nothing
 * else: not a token it is part of, not a part of it, not the same text
 * inside a longer word; nor any value but a random_* resource's, nor one
 * short enough to stand for other text. */
TEST(cli_cases, mask_random_whole_tokens)
{
    char *got;

    masks.n = 1;
    strcpy(masks.value[0], "Xk3-9_aQ");
    strcpy(masks.tag[0], "<random_id.i.id>");
    got = apply_masks("random_id.i: Creation complete after 0s [id=Xk3-9_aQ]\n"
                      "    id = \"Xk3-9_aQ\"\nXk3-9_aQ\n"
                      "Xk3-9_aQZ aXk3-9_aQ Xk3-9_a k3-9_aQ Xk3-9_aQ/x "
                      "+Xk3-9_aQ Xk3-9_aQ-\n");
    ASSERT_STR_EQ(got, "random_id.i: Creation complete after 0s "
                       "[id=<random_id.i.id>]\n"
                       "    id = \"<random_id.i.id>\"\n<random_id.i.id>\n"
                       "Xk3-9_aQZ aXk3-9_aQ Xk3-9_a k3-9_aQ Xk3-9_aQ/x "
                       "+Xk3-9_aQ Xk3-9_aQ-\n");
    free(got);
    masks.n = 2;
    strcpy(masks.value[1], "Xk3-9_aQ=");
    strcpy(masks.tag[1], "<random_id.i.b64_std>");
    got = apply_masks("\"Xk3-9_aQ=\" [id=Xk3-9_aQ] Xk3-9_aQ==\n");
    ASSERT_STR_EQ(got, "\"<random_id.i.b64_std>\" [id=<random_id.i.id>] "
                       "<random_id.i.b64_std>=\n");
    free(got);
    masks.n = 0;
    got = apply_masks("Xk3-9_aQ\n");
    ASSERT_STR_EQ(got, "Xk3-9_aQ\n");
    free(got);
    ASSERT_NULL(mask_refusal("random_string", "abcdefgh"));
    ASSERT_STR_EQ(mask_refusal("aws_iam_role", "arn:aws:iam::1:role/abcdefgh"),
                  "only a random_* resource's values are masked");
    ASSERT_STR_EQ(mask_refusal("random_string", "abcdefg"),
                  "a value shorter than 8 characters could hide other text");
}

const struct tern_test test_cli_cases_list[] = {
    TEST_UNIT(cli_cases, mask_random_whole_tokens),
    TEST_INTEGRATION(cli_cases, golden_1),
    TEST_INTEGRATION(cli_cases, golden_2),
    TEST_INTEGRATION(cli_cases, golden_3),
    TEST_INTEGRATION(cli_cases, golden_4),
    TEST_INTEGRATION(cli_cases, golden_5),
    TEST_INTEGRATION(cli_cases, golden_6),
    TEST_INTEGRATION(cli_cases, golden_7),
    TEST_INTEGRATION(cli_cases, golden_8),
    TEST_INTEGRATION(cli_cases, golden_9),
    TEST_INTEGRATION(cli_cases, golden_10),
    TEST_INTEGRATION(cli_cases, golden_11),
    TEST_INTEGRATION(cli_cases, golden_12),
    TEST_INTEGRATION(cli_cases, golden_13),
    TEST_INTEGRATION(cli_cases, golden_14),
    TEST_INTEGRATION(cli_cases, golden_15),
    TEST_INTEGRATION(cli_cases, golden_16),
    TEST_END};
