/*
 * src/aws/credentials: every source alone and in precedence order, the
 * assume-role chain through tern-sim's STS, credential_process, IMDSv2,
 * refresh in a long run, and no secret in a trace log.
 */
#include "runner.h"
#include "aws_call.h"
#include "support.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/query.h"
#include "http/http.h"
#include "tern/diag.h"
#include "tern/log.h"
#include "util/alloc.h"

#include "../sim/sim.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENV_AKID   "AKIDTESTENVIRONMENT1"
#define ENV_SECRET "envSecretValue/0123456789abcdefghijklmn"
#define CFG_AKID   "AKIDTESTPROVIDERBLK1"
#define CFG_SECRET "cfgSecretValue/0123456789abcdefghijklmn"
#define PRF_AKID   "AKIDTESTPROFILEDEV01"
#define PRF_SECRET "prfSecretValue/0123456789abcdefghijklmn"
#define PRC_AKID   "AKIDTESTPROCESS00001"
#define PRC_SECRET "prcSecretValue/0123456789abcdefghijklmn"
#define PRC_TOKEN  "prcSessionToken/0123456789abcdefghijklmnopqrstuvwxyz"

/* A clean environment: no AWS_* variables, HOME in the test's tmpdir, the
 * metadata service off unless a test points it at tern-sim. */
static void clean_env(void)
{
    static const char *const vars[] = {"AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN",
                                       "AWS_PROFILE",
                                       "AWS_DEFAULT_PROFILE",
                                       "AWS_REGION",
                                       "AWS_DEFAULT_REGION",
                                       "AWS_CONFIG_FILE",
                                       "AWS_SHARED_CREDENTIALS_FILE",
                                       "AWS_ENDPOINT_URL",
                                       "AWS_ENDPOINT_URL_IAM",
                                       "AWS_ENDPOINT_URL_STS",
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                       "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                       NULL};
    size_t i;

    for (i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    setenv("HOME", tern_test_tmpdir(), 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void write_file(const char *rel, int mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void write_file(const char *rel, int mode, const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), rel);
    if (strchr(rel, '/')) {
        char dir[4096];

        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        mkdir(dir, 0700);
    }
    f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static tern_http *http_client(void)
{
    tern_http *http = NULL;

    ASSERT_OK(tern_http_new(&http, NULL));
    return http;
}

static void expect_keys(tern_aws_credentials *p, const char *akid,
                        const char *secret, const char *token)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_aws_creds c;

    ASSERT_OK(tern_aws_credentials_get(p, &c, &diags));
    ASSERT_STR_EQ(c.access_key_id, akid);
    ASSERT_STR_EQ(c.secret_access_key, secret);
    if (token)
        ASSERT_STR_EQ(c.session_token, token);
    else
        ASSERT_NULL(c.session_token);
    tern_aws_creds_release(&c);
}

static const char *first_detail(const struct tern_diags *d)
{
    return d->count ? d->items[0].detail : "(no diagnostic)";
}

TEST(credentials, nothing_found_lists_every_place)
{
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    const char *d;

    clean_env();
    http = http_client();
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EAUTH);
    ASSERT_NULL(p);
    ASSERT_EQ(diags.errors, 1);
    d = diags.items[0].detail;
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "No AWS credentials were found. tern looked, in order, at:\n"
            "  - the provider block's access_key and secret_key: not set\n"
            "  - environment variables AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY: not set\n"
            "  - profile 'default' in the shared credentials file(s) "
            "%s/.aws/credentials (not found) and config file(s) %s/.aws/config "
            "(not found): no such profile\n"
            "  - EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED\n"
            "Set credentials in one of these places, as for the AWS CLI.",
            tern_test_tmpdir(), tern_test_tmpdir());
        ASSERT_STR_EQ(d, want_);
    }
    tern_diags_release(&diags);
    tern_http_free(http);
}

TEST(credentials, provider_block_keys)
{
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;

    clean_env();
    http = http_client();
    cfg.access_key = CFG_AKID;
    cfg.secret_key = CFG_SECRET;
    cfg.token = "cfgToken-0123456789";
    cfg.region = "eu-central-1";
    ASSERT_OK(tern_aws_credentials_new(&p, &cfg, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p), "provider block");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "eu-central-1");
    expect_keys(p, CFG_AKID, CFG_SECRET, "cfgToken-0123456789");
    tern_aws_credentials_free(p);
    cfg.secret_key = NULL;
    ASSERT_EQ(tern_aws_credentials_new(&p, &cfg, http, &diags), TERN_EINVALID);
    ASSERT_STR_EQ(first_detail(&diags),
                  "The provider block sets access_key but not secret_key; set "
                  "both or neither.");
    tern_diags_release(&diags);
    tern_http_free(http);
}

TEST(credentials, environment)
{
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;

    clean_env();
    http = http_client();
    setenv("AWS_ACCESS_KEY_ID", ENV_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", "envToken-0123456789", 1);
    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p), "environment");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "ap-south-1");
    expect_keys(p, ENV_AKID, ENV_SECRET, "envToken-0123456789");
    tern_aws_credentials_free(p);
    setenv("AWS_REGION", "sa-east-1", 1);
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "sa-east-1");
    tern_aws_credentials_free(p);
    tern_http_free(http);
}

static void write_profiles(void)
{
    write_file(".aws/credentials", 0600,
               "# comment\n"
               "[default]\n"
               "aws_access_key_id = AKIDDEFAULTPROFILE01\n"
               "aws_secret_access_key = defaultSecret/0123456789abcdef\n"
               "\n"
               "[dev]\n"
               "aws_access_key_id=" PRF_AKID "\n"
               "aws_secret_access_key = " PRF_SECRET "   # inline comment\n"
               "region = us-west-1\n");
    write_file(".aws/config", 0600,
               "[default]\n"
               "region = us-east-2\n"
               "[profile dev]\n"
               "region = eu-west-1\n"
               "aws_access_key_id = AKIDCONFIGISOVERRIDDEN\n"
               "s3 =\n"
               "  max_concurrent_requests = 20\n"
               "[profile empty]\n"
               "region = eu-north-1\n");
}

TEST(credentials, profiles_from_shared_files)
{
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;

    clean_env();
    http = http_client();
    write_profiles();
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p),
                  "profile 'default' (static keys)");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "us-east-2");
    tern_aws_credentials_free(p);

    /* AWS_PROFILE; the credentials file wins for keys in both files. */
    setenv("AWS_PROFILE", "dev", 1);
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p),
                  "profile 'dev' (static keys)");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "us-west-1");
    expect_keys(p, PRF_AKID, PRF_SECRET, NULL);
    tern_aws_credentials_free(p);

    /* The CLI v1's AWS_DEFAULT_PROFILE, when AWS_PROFILE is unset. */
    unsetenv("AWS_PROFILE");
    setenv("AWS_DEFAULT_PROFILE", "dev", 1);
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    expect_keys(p, PRF_AKID, PRF_SECRET, NULL);
    tern_aws_credentials_free(p);
    unsetenv("AWS_DEFAULT_PROFILE");
    setenv("AWS_PROFILE", "dev", 1);

    /* Files named by the environment instead of ~/.aws. */
    write_file("elsewhere/creds", 0600,
               "[dev]\naws_access_key_id = AKIDELSEWHERE0000001\n"
               "aws_secret_access_key = elsewhereSecret0123456789\n");
    write_file("elsewhere/config", 0600,
               "[profile dev]\nregion = af-south-1\n");
    {
        char path[4096];

        snprintf(path, sizeof(path), "%s/elsewhere/creds", tern_test_tmpdir());
        setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
        snprintf(path, sizeof(path), "%s/elsewhere/config", tern_test_tmpdir());
        setenv("AWS_CONFIG_FILE", path, 1);
    }
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    expect_keys(p, "AKIDELSEWHERE0000001", "elsewhereSecret0123456789", NULL);
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "af-south-1");
    tern_aws_credentials_free(p);
    ASSERT_EQ(diags.count, 0);
    tern_http_free(http);
}

TEST(credentials, provider_block_files_and_profile)
{
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    const char *creds_files[] = {"~/a/creds", "~/b/creds", NULL};

    clean_env();
    http = http_client();
    write_file("a/creds", 0600,
               "[team]\naws_access_key_id = AKIDFIRSTFILE0000001\n"
               "aws_secret_access_key = firstFileSecret0123456\n");
    write_file("b/creds", 0600,
               "[team]\naws_secret_access_key = secondFileSecret01234\n");
    cfg.shared_credentials_files = creds_files;
    cfg.profile = "team";
    /* An explicit profile is used even when the environment has keys. */
    setenv("AWS_ACCESS_KEY_ID", ENV_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
    ASSERT_OK(tern_aws_credentials_new(&p, &cfg, http, &diags));
    expect_keys(p, "AKIDFIRSTFILE0000001", "secondFileSecret01234", NULL);
    tern_aws_credentials_free(p);
    cfg.profile = "missing";
    ASSERT_EQ(tern_aws_credentials_new(&p, &cfg, http, &diags), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "The profile 'missing' (from the provider block) is in neither the "
            "shared credentials file(s) %s/a/creds, %s/b/creds nor the config "
            "file(s) %s/.aws/config (not found).",
            tern_test_tmpdir(), tern_test_tmpdir(), tern_test_tmpdir());
        ASSERT_STR_EQ(first_detail(&diags), want_);
    }
    tern_diags_release(&diags);
    tern_http_free(http);
}

TEST(credentials, precedence)
{
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;

    clean_env();
    http = http_client();
    write_profiles();
    setenv("AWS_PROFILE", "dev", 1);
    setenv("AWS_ACCESS_KEY_ID", ENV_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
    /* Provider block over everything. */
    cfg.access_key = CFG_AKID;
    cfg.secret_key = CFG_SECRET;
    ASSERT_OK(tern_aws_credentials_new(&p, &cfg, http, &diags));
    expect_keys(p, CFG_AKID, CFG_SECRET, NULL);
    tern_aws_credentials_free(p);
    /* Environment keys over AWS_PROFILE, as the CLI does. */
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    expect_keys(p, ENV_AKID, ENV_SECRET, NULL);
    /* ...but the profile's region still counts. */
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "us-west-1");
    tern_aws_credentials_free(p);
    /* Only one of the pair in the environment: on to the profile. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    expect_keys(p, PRF_AKID, PRF_SECRET, NULL);
    tern_aws_credentials_free(p);
    /* An explicit profile that does not exist is an error, not a skip. */
    setenv("AWS_PROFILE", "nope", 1);
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "The profile 'nope' (from AWS_PROFILE) is in neither the "
                 "shared credentials file(s) %s/.aws/credentials nor the "
                 "config file(s) %s/.aws/config.",
                 tern_test_tmpdir(), tern_test_tmpdir());
        ASSERT_STR_EQ(first_detail(&diags), want_);
    }
    tern_diags_release(&diags);
    /* A profile without credential settings: the chain goes on. */
    setenv("AWS_PROFILE", "empty", 1);
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EAUTH);
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "No AWS credentials were found. tern looked, in order, at:\n"
            "  - the provider block's access_key and secret_key: not set\n"
            "  - environment variables AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY: only one is set\n"
            "  - profile 'empty' in the shared credentials file(s) "
            "%s/.aws/credentials and config file(s) %s/.aws/config: no "
            "credential settings\n"
            "  - EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED\n"
            "Set credentials in one of these places, as for the AWS CLI.",
            tern_test_tmpdir(), tern_test_tmpdir());
        ASSERT_STR_EQ(first_detail(&diags), want_);
    }
    tern_diags_release(&diags);
    tern_http_free(http);
}

static void write_process(const char *expiration, int exit_code)
{
    char script[4096];

    write_file("bin/creds.sh", 0700,
               "#!/bin/sh\n"
               "echo run >> \"%s/bin/runs\"\n"
               "cat <<EOF\n"
               "{\"Version\": 1, \"AccessKeyId\": \"" PRC_AKID "\",\n"
               " \"SecretAccessKey\": \"" PRC_SECRET "\",\n"
               " \"SessionToken\": \"" PRC_TOKEN "\"%s%s%s}\n"
               "EOF\n"
               "exit %d\n",
               tern_test_tmpdir(), expiration ? ", \"Expiration\": \"" : "",
               expiration ? expiration : "", expiration ? "\"" : "", exit_code);
    snprintf(script, sizeof(script), "%s/bin/creds.sh --flag 'a b'",
             tern_test_tmpdir());
    write_file(".aws/config", 0600, "[default]\ncredential_process = %s\n",
               script);
}

static time_t far_future(void *ud)
{
    (void)ud;
    return time(NULL) + 7200;
}

TEST(credentials, credential_process)
{
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_aws_creds c;
    char exp[32];
    time_t t = time(NULL) + 3600;
    struct tm tm;

    clean_env();
    http = http_client();
    gmtime_r(&t, &tm);
    strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    write_process(exp, 0);
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p),
                  "credential_process of profile 'default'");
    expect_keys(p, PRC_AKID, PRC_SECRET, PRC_TOKEN);
    ASSERT_OK(tern_aws_credentials_get(p, &c, &diags));
    ASSERT_EQ(c.expiration, t);
    tern_aws_creds_release(&c);
    ASSERT_EQ(tern__aws_credentials_fetches(p), 1);
    /* Two hours later the set has expired: the process runs again. */
    tern__aws_credentials_set_clock(p, far_future, NULL);
    expect_keys(p, PRC_AKID, PRC_SECRET, PRC_TOKEN);
    ASSERT_EQ(tern__aws_credentials_fetches(p), 2);
    tern_aws_credentials_free(p);

    write_process(NULL, 3);
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EAUTH);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "credential_process failed");
    ASSERT_STR_EQ(first_detail(&diags), "The credential_process of profile "
                                        "'default' exited with status 3.");
    tern_diags_release(&diags);
    /* Output that is not the JSON credentials: what it must print. */
    write_file("bin/creds.sh", 0700, "#!/bin/sh\necho not json\n");
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EAUTH);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(first_detail(&diags),
                  "The credential_process of profile 'default' printed no "
                  "valid credentials: it must print JSON with \"Version\": 1, "
                  "\"AccessKeyId\" and \"SecretAccessKey\"; JSON error: "
                  "'[' or '{' expected near 'not'.");
    tern_diags_release(&diags);
    tern_http_free(http);
}

/* Output is read up to 64000 bytes (the Java SDK's limit): credentials
 * padded to just under it are read; more is reported as exactly that,
 * not as the child's death by SIGPIPE. */
TEST(credentials, process_output_limit)
{
    tern_http *http;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char script[4096];

    clean_env();
    http = http_client();
    snprintf(script, sizeof(script), "%s/bin/creds.sh", tern_test_tmpdir());
    write_file(".aws/config", 0600, "[default]\ncredential_process = %s\n",
               script);
    write_file("bin/creds.sh", 0700,
               "#!/bin/sh\n"
               "head -c 63500 /dev/zero | tr '\\0' ' '\n"
               "echo '{\"Version\": 1, \"AccessKeyId\": \"" PRC_AKID "\", "
               "\"SecretAccessKey\": \"" PRC_SECRET "\"}'\n");
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, http, &diags));
    expect_keys(p, PRC_AKID, PRC_SECRET, NULL);
    tern_aws_credentials_free(p);
    p = NULL;
    write_file("bin/creds.sh", 0700,
               "#!/bin/sh\n"
               "head -c 1048576 /dev/zero | tr '\\0' ' '\n"
               "echo '{\"Version\": 1, \"AccessKeyId\": \"" PRC_AKID "\", "
               "\"SecretAccessKey\": \"" PRC_SECRET "\"}'\n");
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, http, &diags), TERN_EAUTH);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "credential_process failed");
    ASSERT_STR_EQ(first_detail(&diags),
                  "The credential_process of profile 'default' printed more "
                  "than 64000 bytes, the most tern reads; it must print only "
                  "the JSON credentials.");
    tern_diags_release(&diags);
    tern_http_free(http);
}

/*
 * Against tern-sim: STS AssumeRole and IMDS.
 */

struct simfx {
    struct tt_sim sim;
    tern_http *http;
};

static void simfx_start(struct simfx *fx, const char *const *args)
{
    clean_env();
    ASSERT_OK(tt_sim_start(&fx->sim, args));
    fx->http = http_client();
    setenv("AWS_ENDPOINT_URL", fx->sim.base_url, 1);
}

static void simfx_stop(struct simfx *fx)
{
    tern_http_free(fx->http);
    tt_sim_stop(&fx->sim);
}

/* A role in tern-sim, created with the default keys. */
static void sim_role(struct simfx *fx, const char *name)
{
    const char *params[] = {
        "RoleName", name, "AssumeRolePolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}",
        NULL};
    struct tt_response r;

    ASSERT_OK(tt_iam(&r, &fx->sim, "CreateRole", params));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

/* GetCallerIdentity with the provider's credentials; returns the Arn. */
static char *whoami(struct simfx *fx, tern_aws_credentials *p)
{
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_aws_client *sts = NULL;
    tern_xml_node *root = NULL;
    char *arn;

    opts.service = "sts";
    opts.region = tern_aws_credentials_region(p);
    opts.http = fx->http;
    opts.credentials = p;
    ASSERT_OK(tern_aws_client_new(&sts, &opts, &diags));
    if (tern_aws_call(sts, "GetCallerIdentity", NULL, &root, &diags) != 0)
        FAIL("GetCallerIdentity: %s", first_detail(&diags));
    arn = tern_strdup(tern_xml_text(root, "GetCallerIdentityResult/Arn"));
    tern_xml_free(root);
    tern_aws_client_free(sts);
    return arn;
}

static int count_calls(struct simfx *fx, const char *action, const char *code)
{
    struct tt_response r;
    json_t *doc, *c;
    size_t i;
    int n = 0;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));
        const char *e = json_string_value(json_object_get(c, "error_code"));

        if (a && strcmp(a, action) == 0 &&
            (!code || (e && strcmp(e, code) == 0)))
            n++;
    }
    json_decref(doc);
    tt_response_release(&r);
    return n;
}

static void sim_clock(struct simfx *fx, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", "clock", json));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

TEST(credentials, assume_role_via_source_profile)
{
    struct simfx fx;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, NULL);
    sim_role(&fx, "deployer");
    write_file(".aws/credentials", 0600,
               "[base]\naws_access_key_id = " SIM_DEFAULT_AKID "\n"
               "aws_secret_access_key = " SIM_DEFAULT_SECRET "\n");
    write_file(".aws/config", 0600,
               "[profile app]\n"
               "role_arn = arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/deployer\n"
               "source_profile = base\n"
               "external_id = ext-123456\n"
               "role_session_name = my-session\n"
               "duration_seconds = 900\n"
               "region = eu-west-3\n");
    setenv("AWS_PROFILE", "app", 1);
    if (tern_aws_credentials_new(&p, NULL, fx.http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    ASSERT_STR_CONTAINS(tern_aws_credentials_source(p),
                        "assume role arn:aws:iam::" SIM_DEFAULT_ACCOUNT
                        ":role/deployer (profile 'app')");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "eu-west-3");
    arn = whoami(&fx, p);
    ASSERT_STR_EQ(arn, "arn:aws:sts::" SIM_DEFAULT_ACCOUNT
                       ":assumed-role/deployer/my-session");
    tern_free(arn);
    ASSERT_EQ(count_calls(&fx, "AssumeRole", ""), 1);
    tern_aws_credentials_free(p);

    /* A source_profile that does not exist. */
    write_file(".aws/config", 0600,
               "[profile app]\nrole_arn = arn:aws:iam::1:role/x\n"
               "source_profile = ghost\n");
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, fx.http, &diags),
              TERN_EINVALID);
    ASSERT_STR_EQ(
        first_detail(&diags),
        "The source_profile 'ghost' of profile 'app' does not exist.");
    tern_diags_release(&diags);
    simfx_stop(&fx);
}

TEST(credentials, assume_role_chain_and_credential_source)
{
    struct simfx fx;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, NULL);
    sim_role(&fx, "first");
    sim_role(&fx, "second");
    /* second <- first <- environment keys. */
    write_file(".aws/config", 0600,
               "[profile first]\n"
               "role_arn = arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/first\n"
               "credential_source = Environment\n"
               "[profile second]\n"
               "role_arn = arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/second\n"
               "source_profile = first\n"
               "role_session_name = chained\n");
    setenv("AWS_ACCESS_KEY_ID", SIM_DEFAULT_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SIM_DEFAULT_SECRET, 1);
    {
        tern_aws_config cfg = TERN_AWS_CONFIG_INIT;

        cfg.profile = "second";
        if (tern_aws_credentials_new(&p, &cfg, fx.http, &diags) != TERN_OK)
            FAIL("%s", first_detail(&diags));
    }
    arn = whoami(&fx, p);
    ASSERT_STR_EQ(arn, "arn:aws:sts::" SIM_DEFAULT_ACCOUNT
                       ":assumed-role/second/chained");
    tern_free(arn);
    ASSERT_EQ(count_calls(&fx, "AssumeRole", ""), 2);
    tern_aws_credentials_free(p);
    simfx_stop(&fx);
}

TEST(credentials, provider_block_assume_role)
{
    struct simfx fx;
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, NULL);
    sim_role(&fx, "tf-role");
    setenv("AWS_ACCESS_KEY_ID", SIM_DEFAULT_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SIM_DEFAULT_SECRET, 1);
    /* The provider block's endpoint is used when no variable is set. */
    unsetenv("AWS_ENDPOINT_URL");
    cfg.endpoint_sts = fx.sim.base_url;
    cfg.assume_role.role_arn =
        "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/tf-role";
    cfg.assume_role.session_name = "tf-session";
    cfg.assume_role.external_id = "external-0001";
    cfg.assume_role.duration_seconds = 1800;
    if (tern_aws_credentials_new(&p, &cfg, fx.http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    ASSERT_STR_CONTAINS(tern_aws_credentials_source(p),
                        "(provider block) over environment");
    setenv("AWS_ENDPOINT_URL", fx.sim.base_url, 1);
    arn = whoami(&fx, p);
    ASSERT_STR_EQ(arn, "arn:aws:sts::" SIM_DEFAULT_ACCOUNT
                       ":assumed-role/tf-role/tf-session");
    tern_free(arn);
    tern_aws_credentials_free(p);

    /* A role that does not exist: AccessDenied, with STS's words. */
    cfg.assume_role.role_arn = "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/nope";
    ASSERT_EQ(tern_aws_credentials_new(&p, &cfg, fx.http, &diags), TERN_EAUTH);
    ASSERT_STR_EQ(diags.items[0].service_code, "AccessDenied");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "is not authorized to perform: "
                                               "sts:AssumeRole");
    ASSERT_STR_EQ(diags.items[1].detail,
                  "Assuming the role arn:aws:iam::123456789012:role/nope with "
                  "credentials from environment failed; see the error above.");
    tern_diags_release(&diags);
    simfx_stop(&fx);
}

TEST(credentials, imds_protocol)
{
    static const char *const args[] = {"--imds", NULL};
    struct simfx fx;
    struct tt_response r;
    char url[256], hdr[256];
    const char *ttl[] = {"X-aws-ec2-metadata-token-ttl-seconds: 60", NULL};
    const char *tok[] = {hdr, NULL};
    json_t *doc;

    simfx_start(&fx, args);
    snprintf(url, sizeof(url), "%s/latest/api/token", fx.sim.base_url);
    ASSERT_OK(tt_http(&r, "PUT", url, NULL, NULL, 0));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);
    ASSERT_OK(tt_http(&r, "PUT", url, ttl, NULL, 0));
    ASSERT_EQ(r.status, 200);
    snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", r.body);
    tt_response_release(&r);
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/",
             fx.sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, NULL, NULL, 0));
    ASSERT_EQ(r.status, 401);
    tt_response_release(&r);
    ASSERT_OK(tt_http(&r, "GET", url, tok, NULL, 0));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(r.body, "tern-sim-instance-role");
    tt_response_release(&r);
    snprintf(url, sizeof(url),
             "%s/latest/meta-data/iam/security-credentials/"
             "tern-sim-instance-role",
             fx.sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, tok, NULL, 0));
    ASSERT_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "Code")), "Success");
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "Type")), "AWS-HMAC");
    ASSERT_NOT_NULL(json_string_value(json_object_get(doc, "Token")));
    ASSERT_NOT_NULL(json_string_value(json_object_get(doc, "Expiration")));
    ASSERT_NOT_NULL(json_string_value(json_object_get(doc, "LastUpdated")));
    json_decref(doc);
    tt_response_release(&r);
    snprintf(url, sizeof(url), "%s/latest/meta-data/placement/region",
             fx.sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, tok, NULL, 0));
    ASSERT_STR_EQ(r.body, "us-west-2");
    tt_response_release(&r);
    /* The token expires on the sim clock. */
    sim_clock(&fx, "{\"advance_ms\": 61000}");
    ASSERT_OK(tt_http(&r, "GET", url, tok, NULL, 0));
    ASSERT_EQ(r.status, 401);
    tt_response_release(&r);
    simfx_stop(&fx);
}

TEST(credentials, imds_credentials_and_region)
{
    static const char *const args[] = {"--imds", NULL};
    struct simfx fx;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, args);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fx.sim.base_url, 1);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    if (tern_aws_credentials_new(&p, NULL, fx.http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p), "EC2 instance metadata");
    ASSERT_STR_EQ(tern_aws_credentials_region(p), "us-west-2");
    arn = whoami(&fx, p);
    ASSERT_STR_CONTAINS(arn, ":assumed-role/tern-sim-instance-role/");
    tern_free(arn);
    tern_aws_credentials_free(p);

    /* Not answering (stopped): listed as a place looked at. */
    tt_sim_stop(&fx.sim);
    ASSERT_EQ(tern_aws_credentials_new(&p, NULL, fx.http, &diags), TERN_EAUTH);
    ASSERT_STR_CONTAINS(first_detail(&diags), "EC2 instance metadata at ");
    ASSERT_STR_CONTAINS(first_detail(&diags), "cannot connect");
    tern_diags_release(&diags);
    tern_http_free(fx.http);
}

TEST(credentials, profile_ec2_credential_source)
{
    static const char *const args[] = {"--imds", NULL};
    struct simfx fx;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, args);
    sim_role(&fx, "from-instance");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fx.sim.base_url, 1);
    write_file(".aws/config", 0600,
               "[default]\n"
               "role_arn = arn:aws:iam::" SIM_DEFAULT_ACCOUNT
               ":role/from-instance\n"
               "credential_source = Ec2InstanceMetadata\n"
               "role_session_name = node\n");
    if (tern_aws_credentials_new(&p, NULL, fx.http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    arn = whoami(&fx, p);
    ASSERT_STR_EQ(arn, "arn:aws:sts::" SIM_DEFAULT_ACCOUNT
                       ":assumed-role/from-instance/node");
    tern_free(arn);
    tern_aws_credentials_free(p);
    simfx_stop(&fx);
}

/* The S3 backend's ec2_metadata_service_endpoint wins over
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, and skip_metadata_api_check = true
 * leaves the instance metadata out of the chain (backend.go, Configure;
 * aws-sdk-go-base's EC2MetadataServiceEnableState), = false takes it
 * back even with AWS_EC2_METADATA_DISABLED=true. */
TEST(credentials, imds_configured_endpoint_and_skip)
{
    static const char *const args[] = {"--imds", NULL};
    struct simfx fx;
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *arn;

    simfx_start(&fx, args);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    cfg.imds_endpoint = fx.sim.base_url;
    cfg.imds_endpoint_mode = "IPv6";
    cfg.imds_disabled = -1;
    if (tern_aws_credentials_new(&p, &cfg, fx.http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    ASSERT_STR_EQ(tern_aws_credentials_source(p), "EC2 instance metadata");
    arn = whoami(&fx, p);
    ASSERT_STR_CONTAINS(arn, ":assumed-role/tern-sim-instance-role/");
    tern_free(arn);
    tern_aws_credentials_free(p);
    p = NULL;

    unsetenv("AWS_EC2_METADATA_DISABLED");
    cfg.imds_disabled = 1;
    ASSERT_EQ(tern_aws_credentials_new(&p, &cfg, fx.http, &diags), TERN_EAUTH);
    ASSERT_NULL(p);
    ASSERT_STR_CONTAINS(first_detail(&diags),
                        "\n  - EC2 instance metadata: disabled by "
                        "skip_metadata_api_check");
    tern_diags_release(&diags);
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    simfx_stop(&fx);
}

static time_t clock_value;

static time_t test_clock(void *ud)
{
    (void)ud;
    return clock_value;
}

static tern_aws_credentials *assume_900(struct simfx *fx)
{
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;

    cfg.access_key = SIM_DEFAULT_AKID;
    cfg.secret_key = SIM_DEFAULT_SECRET;
    cfg.assume_role.role_arn =
        "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/long-run";
    cfg.assume_role.session_name = "long-run";
    cfg.assume_role.duration_seconds = 900;
    sim_role(fx, "long-run");
    if (tern_aws_credentials_new(&p, &cfg, fx->http, &diags) != TERN_OK)
        FAIL("%s", first_detail(&diags));
    return p;
}

struct getter {
    tern_aws_credentials *p;
    int failures;
};

static void *get_many(void *ud)
{
    struct getter *g = ud;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_aws_creds c;
    int i;

    for (i = 0; i < 20; i++) {
        if (tern_aws_credentials_get(g->p, &c, &diags) != TERN_OK)
            g->failures++;
        tern_aws_creds_release(&c);
    }
    tern_diags_release(&diags);
    return NULL;
}

TEST(credentials, refresh_before_expiry_in_a_long_run)
{
    struct simfx fx;
    tern_aws_credentials *p;
    struct getter g[6];
    pthread_t t[6];
    char *arn;
    int i;

    simfx_start(&fx, NULL);
    p = assume_900(&fx);
    ASSERT_EQ(tern__aws_credentials_fetches(p), 1);
    clock_value = time(NULL) + 500;
    tern__aws_credentials_set_clock(p, test_clock, NULL);
    /* 400 s left: not yet. */
    arn = whoami(&fx, p);
    tern_free(arn);
    ASSERT_EQ(tern__aws_credentials_fetches(p), 1);
    /* Ten minutes into the run on both clocks: 5 minutes left, so the
     * first of several threads refreshes and the others wait for it. */
    sim_clock(&fx, "{\"advance_ms\": 600000}");
    /* One second more: time() reads a coarse clock that can still show
     * the second before the one tern-sim (CLOCK_REALTIME) issued the set
     * in, which left exactly 301 s and no refresh (a rare flake). */
    clock_value = time(NULL) + 601;
    for (i = 0; i < 6; i++) {
        g[i].p = p;
        g[i].failures = 0;
        ASSERT_OK(pthread_create(&t[i], NULL, get_many, &g[i]));
    }
    for (i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        ASSERT_EQ(g[i].failures, 0);
    }
    ASSERT_EQ(tern__aws_credentials_fetches(p), 2);
    ASSERT_EQ(count_calls(&fx, "AssumeRole", ""), 2);
    arn = whoami(&fx, p);
    ASSERT_STR_CONTAINS(arn, ":assumed-role/long-run/long-run");
    tern_free(arn);
    tern_aws_credentials_free(p);
    simfx_stop(&fx);
}

TEST(credentials, refresh_on_expired_token)
{
    struct simfx fx;
    tern_aws_credentials *p;
    char *arn;

    simfx_start(&fx, NULL);
    /* Issue while the sim clock is 800 s behind: the set expires 100 s
     * from now on the sim clock, but our clock (also held 800 s back)
     * believes it has 15 minutes. */
    sim_clock(&fx, "{\"offset_ms\": -800000}");
    p = assume_900(&fx);
    clock_value = time(NULL) - 800;
    tern__aws_credentials_set_clock(p, test_clock, NULL);
    sim_clock(&fx, "{\"offset_ms\": 150000}");
    /* The service answers ExpiredToken; the client refreshes and retries. */
    arn = whoami(&fx, p);
    ASSERT_STR_CONTAINS(arn, ":assumed-role/long-run/long-run");
    tern_free(arn);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "ExpiredToken"), 1);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", ""), 1);
    ASSERT_EQ(count_calls(&fx, "AssumeRole", ""), 2);
    ASSERT_EQ(tern__aws_credentials_fetches(p), 2);
    tern_aws_credentials_free(p);
    simfx_stop(&fx);
}

/*
 * A full session at TERN_LOG=trace through every source: nothing secret
 * may reach stderr.
 */
static void collect_secrets(tern_aws_credentials *p, char **list, int *n)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_aws_creds c;

    ASSERT_OK(tern_aws_credentials_get(p, &c, &diags));
    list[(*n)++] = tern_strdup(c.secret_access_key);
    if (c.session_token)
        list[(*n)++] = tern_strdup(c.session_token);
    tern_aws_creds_release(&c);
}

TEST(credentials, no_secret_in_trace_log)
{
    static const char *const args[] = {"--imds",
                                       "--key",
                                       ENV_AKID ":" ENV_SECRET,
                                       "--key",
                                       PRF_AKID ":" PRF_SECRET,
                                       NULL};
    struct simfx fx;
    tern_aws_config cfg = TERN_AWS_CONFIG_INIT;
    tern_aws_credentials *p = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *secrets[32], log_path[4096], *log, *arn;
    int nsecrets = 0, fd, saved, i, step;

    simfx_start(&fx, args);
    sim_role(&fx, "traced");
    snprintf(log_path, sizeof(log_path), "%s/stderr.log", tern_test_tmpdir());
    fflush(stderr);
    saved = dup(2);
    fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_CMP(fd, >=, 0);
    dup2(fd, 2);
    close(fd);
    tern_log_set_level(TERN_LOG_TRACE);

    write_file(".aws/credentials", 0600,
               "[dev]\naws_access_key_id = " PRF_AKID "\n"
               "aws_secret_access_key = " PRF_SECRET "\n");
    write_file(".aws/config", 0600,
               "[profile role]\n"
               "role_arn = arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/traced\n"
               "source_profile = dev\n");
    for (step = 0; step < 5; step++) {
        clean_env();
        setenv("AWS_ENDPOINT_URL", fx.sim.base_url, 1);
        memset(&cfg, 0, sizeof(cfg));
        cfg.version = TERN_AWS_CONFIG_VERSION;
        cfg.max_retries = -1;
        switch (step) {
        case 0: /* environment */
            setenv("AWS_ACCESS_KEY_ID", ENV_AKID, 1);
            setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
            break;
        case 1: /* profile, static keys */
            setenv("AWS_PROFILE", "dev", 1);
            break;
        case 2: /* profile, assume role */
            setenv("AWS_PROFILE", "role", 1);
            break;
        case 3: /* provider block keys + assume_role */
            cfg.access_key = SIM_DEFAULT_AKID;
            cfg.secret_key = SIM_DEFAULT_SECRET;
            cfg.assume_role.role_arn =
                "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/traced";
            break;
        default: /* instance metadata */
            setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fx.sim.base_url, 1);
            unsetenv("AWS_EC2_METADATA_DISABLED");
            break;
        }
        if (tern_aws_credentials_new(&p, &cfg, fx.http, &diags) != TERN_OK)
            FAIL("step %d: %s", step, first_detail(&diags));
        collect_secrets(p, secrets, &nsecrets);
        arn = whoami(&fx, p);
        tern_free(arn);
        tern_aws_credentials_free(p);
    }
    /* credential_process, with its own secrets. */
    write_process(NULL, 0);
    clean_env();
    ASSERT_OK(tern_aws_credentials_new(&p, NULL, fx.http, &diags));
    collect_secrets(p, secrets, &nsecrets);
    tern_aws_credentials_free(p);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    log = tt_read_file(log_path, NULL);
    ASSERT_NOT_NULL(log);
    /* The log did record the session... */
    ASSERT_STR_CONTAINS(log, "[trace] http: > POST ");
    ASSERT_STR_CONTAINS(log, "aws: sts AssumeRole -> 200 (attempt 1");
    ASSERT_STR_CONTAINS(log, "aws: sts GetCallerIdentity -> 200");
    ASSERT_STR_CONTAINS(log, "/latest/api/token");
    ASSERT_STR_CONTAINS(log, "[REDACTED]");
    /* ...and none of its secrets. */
    ASSERT_STR_NOT_CONTAINS(log, ENV_SECRET);
    ASSERT_STR_NOT_CONTAINS(log, PRF_SECRET);
    ASSERT_STR_NOT_CONTAINS(log, PRC_SECRET);
    ASSERT_STR_NOT_CONTAINS(log, PRC_TOKEN);
    ASSERT_STR_NOT_CONTAINS(log, SIM_DEFAULT_SECRET);
    ASSERT_STR_NOT_CONTAINS(log, "Signature=");
    for (i = 0; i < nsecrets; i++) {
        /* Long tokens: any 24-character piece would be a leak. */
        char piece[25];
        size_t off, len = strlen(secrets[i]);

        for (off = 0; off + 24 <= len; off += 12) {
            memcpy(piece, secrets[i] + off, 24);
            piece[24] = '\0';
            ASSERT_STR_NOT_CONTAINS(log, piece);
        }
        tern_free(secrets[i]);
    }
    ASSERT_CMP(nsecrets, >=, 10);
    free(log);
    tern_diags_release(&diags);
    simfx_stop(&fx);
}

const struct tern_test test_credentials_list[] = {
    TEST_UNIT(credentials, nothing_found_lists_every_place),
    TEST_UNIT(credentials, provider_block_keys),
    TEST_UNIT(credentials, environment),
    TEST_UNIT(credentials, profiles_from_shared_files),
    TEST_UNIT(credentials, provider_block_files_and_profile),
    TEST_UNIT(credentials, precedence),
    TEST_UNIT(credentials, credential_process),
    TEST_UNIT(credentials, process_output_limit),
    TEST_INTEGRATION(credentials, assume_role_via_source_profile),
    TEST_INTEGRATION(credentials, assume_role_chain_and_credential_source),
    TEST_INTEGRATION(credentials, provider_block_assume_role),
    TEST_INTEGRATION(credentials, imds_protocol),
    TEST_INTEGRATION(credentials, imds_credentials_and_region),
    TEST_INTEGRATION(credentials, imds_configured_endpoint_and_skip),
    TEST_INTEGRATION(credentials, profile_ec2_credential_source),
    TEST_INTEGRATION(credentials, refresh_before_expiry_in_a_long_run),
    TEST_INTEGRATION(credentials, refresh_on_expired_token),
    TEST_INTEGRATION(credentials, no_secret_in_trace_log),
    TEST_END};
