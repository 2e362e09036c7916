/*
 * plan, apply, destroy, show of a saved plan, the JSON UI and interrupts,
 * through the built binary against a tern-sim on 127.0.0.1.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <signal.h>
#include <string.h>

static void start(const char *const *sim_args)
{
    ASSERT_OK(tt_sim_start(&sim, sim_args));
    tt_sim_env_init(&env, &sim);
}

static void config(const char *service, int count)
{
    char text[2048];

    snprintf(text, sizeof(text),
             "variable \"prefix\" {\n"
             "  type    = string\n"
             "  default = \"app\"\n"
             "}\n\n"
             "resource \"aws_iam_role\" \"r\" {\n"
             "  count = %d\n"
             "  name  = \"${var.prefix}-${count.index}\"\n"
             "  force_detach_policies = false\n"
             "  assume_role_policy = jsonencode({\n"
             "    Version = \"2012-10-17\"\n"
             "    Statement = [{\n"
             "      Effect    = \"Allow\"\n"
             "      Principal = { Service = \"%s\" }\n"
             "      Action    = \"sts:AssumeRole\"\n"
             "    }]\n"
             "  })\n"
             "}\n\n"
             "output \"names\" {\n"
             "  value = aws_iam_role.r[*].name\n"
             "}\n",
             count, service);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

TEST(cli_apply, plan_apply_destroy)
{
    start(NULL);
    config("ec2.amazonaws.com", 1);
    RUN(2, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.r[0] will be created\n"
                               "  + resource \"aws_iam_role\" \"r\" {\n");
    ASSERT_STR_CONTAINS(r.out, "Plan: 1 to add, 0 to change, 0 to destroy.");
    ASSERT_STR_CONTAINS(r.out, "Changes to Outputs:");

    RUN(1, "apply");
    ASSERT_STR_EQ(r.err,
                  "Error: No terminal to ask for approval\n"
                  "\n"
                  "apply asks for confirmation before it changes anything, and "
                  "there is no terminal to ask on (standard input is not a "
                  "terminal, -input=false or -json was given). Review the plan "
                  "above and run again with -auto-approve, or save it with "
                  "\"tern plan -out=FILE\" and run \"tern apply FILE\".\n"
                  "\n");

    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r[0]: Creating...\n");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r[0]: Creation complete after ");
    ASSERT_STR_CONTAINS(r.out, "[id=app-0]");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added, 0 "
                               "changed, 0 destroyed.");
    ASSERT_STR_CONTAINS(r.out, "Outputs:\n\nnames = [\n  \"app-0\",\n]\n");

    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");

    /* A policy change: diffed inside jsonencode, saved, shown, applied. */
    config("lambda.amazonaws.com", 1);
    RUN(0, "plan", "-out=change.tfplan");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[0] will be updated "
                               "in-place");
    ASSERT_STR_CONTAINS(r.out, "~ Service = \"ec2.amazonaws.com\" -> "
                               "\"lambda.amazonaws.com\"");
    ASSERT_STR_CONTAINS(r.out, "tern apply \"change.tfplan\"");
    RUN(0, "show", "change.tfplan");
    ASSERT_STR_CONTAINS(r.out, "will be updated in-place");
    RUN(0, "show", "-json", "change.tfplan");
    {
        json_t *j = json_loads(r.out, 0, NULL);

        ASSERT_NOT_NULL(j);
        json_decref(j);
    }
    RUN(1, "apply", "-var=prefix=x", "change.tfplan");
    ASSERT_STR_EQ(
        r.err, "Error: Can't set planning options when applying a saved plan\n"
               "\n"
               "The plan file change.tfplan was created with its variables, "
               "targets and mode; -var, -var-file, -target, -replace and "
               "-destroy cannot change it. Make a new plan instead.\n"
               "\n");
    RUN(0, "apply", "change.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Modifications complete");
    /* The state moved on: the same plan is refused. */
    RUN(1, "apply", "change.tfplan");

    RUN(0, "plan", "-var", "prefix=svc");
    ASSERT_STR_CONTAINS(r.out, "must be replaced");
    ASSERT_STR_CONTAINS(r.out, "# forces replacement");

    RUN(0, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "will be destroyed");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 1 destroyed.");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, json_ui)
{
    json_t *line;
    const char *p, *type;
    int saw_version = 0, saw_planned = 0, saw_start = 0, saw_complete = 0,
        saw_summary = 0, saw_outputs = 0, n = 0;

    start(NULL);
    config("ec2.amazonaws.com", 2);
    RUN(0, "apply", "-json", "-auto-approve");
    for (p = r.out; *p; p = strchr(p, '\n') + 1, n++) {
        json_error_t err;

        line = json_loadb(p, strcspn(p, "\n"), 0, &err);
        if (!line)
            FAIL("line %d is not JSON: %.200s", n, p);
        type = json_string_value(json_object_get(line, "type"));
        ASSERT_NOT_NULL(type);
        ASSERT_NOT_NULL(json_object_get(line, "@level"));
        ASSERT_NOT_NULL(json_object_get(line, "@message"));
        ASSERT_NOT_NULL(json_object_get(line, "@timestamp"));
        if (n == 0) {
            ASSERT_STR_EQ(type, "version");
            ASSERT_STR_EQ(json_string_value(json_object_get(line, "@message")),
                          "tern " TERN_VERSION);
            saw_version = 1;
        }
        if (strcmp(type, "planned_change") == 0) {
            saw_planned++;
            ASSERT_STR_EQ(json_string_value(json_object_get(
                              json_object_get(line, "change"), "action")),
                          "create");
        }
        if (strcmp(type, "apply_start") == 0)
            saw_start++;
        if (strcmp(type, "apply_complete") == 0) {
            saw_complete++;
            ASSERT_TRUE(json_is_number(json_object_get(
                json_object_get(line, "hook"), "elapsed_seconds")));
        }
        if (strcmp(type, "change_summary") == 0)
            saw_summary++;
        if (strcmp(type, "outputs") == 0)
            saw_outputs++;
        json_decref(line);
        if (!strchr(p, '\n'))
            break;
    }
    ASSERT_TRUE(saw_version);
    ASSERT_EQ(saw_planned, 2);
    ASSERT_EQ(saw_start, 2);
    ASSERT_EQ(saw_complete, 2);
    ASSERT_EQ(saw_summary, 2); /* the plan's and the apply's */
    ASSERT_EQ(saw_outputs, 2); /* planned (actions), then applied (values) */
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, interrupt_is_graceful)
{
    const char *sim_args[] = {"--latency-ms", "150", NULL};
    const char *args[] = {"apply", "-auto-approve", "-parallelism=1", NULL};
    const long once[2] = {400, 0};
    size_t lines = 0;
    const char *p;

    start(sim_args);
    config("ec2.amazonaws.com", 8);
    ASSERT_OK(tt_run_tern_interrupt(&r, tern_test_tmpdir(), env.env, args,
                                    "Creating...", once));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.err, "Interrupt received.");
    ASSERT_STR_CONTAINS(r.err, "Gracefully shutting down");
    RUN(0, "state", "list");
    for (p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    /* What finished before the interrupt is saved; not everything ran. */
    ASSERT_CMP(lines, >=, 1);
    ASSERT_CMP(lines, <, 8);
    /* The next apply does the rest. */
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete!");
    RUN(0, "state", "list");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r[7]");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

static void interrupt(int pid, void *arg)
{
    (void)arg;
    kill(pid, SIGINT);
}

/* The second SIGINT goes only once tern has said it took the first: two
 * sent close together may merge into one pending signal before the signal
 * thread's sigwait takes the first. */
TEST(cli_apply, second_interrupt_cancels)
{
    const char *sim_args[] = {"--latency-ms", "400", NULL};
    const char *args[] = {"apply", "-auto-approve", "-parallelism=1", NULL};
    const struct tt_stage stages[] = {{"Creating...", interrupt, NULL},
                                      {"Interrupt received.", interrupt, NULL},
                                      {NULL, NULL, NULL}};

    start(sim_args);
    config("ec2.amazonaws.com", 8);
    ASSERT_OK(tt_run_tern_stages(&r, tern_test_tmpdir(), NULL, env.env, args,
                                 stages));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.err, "\nTwo interrupts received. Cancelling the "
                               "running steps; what already finished is "
                               "saved.\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, variables)
{
    start(NULL);
    config("ec2.amazonaws.com", 1);
    RUN(0, "plan");
    ASSERT_STR_CONTAINS(r.out, "+ name                  = \"app-0\"");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfvars",
                            "prefix = \"tfvars\"\n"));
    RUN(0, "plan");
    ASSERT_STR_CONTAINS(r.out, "\"tfvars-0\"");
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "x.tfvars", "prefix = \"file\"\n"));
    RUN(0, "plan", "-var-file=x.tfvars");
    ASSERT_STR_CONTAINS(r.out, "\"file-0\"");
    /* Later flags win, in command-line order. */
    RUN(0, "plan", "-var", "prefix=cli", "-var-file=x.tfvars");
    ASSERT_STR_CONTAINS(r.out, "\"file-0\"");
    RUN(0, "plan", "-var-file=x.tfvars", "-var", "prefix=cli");
    ASSERT_STR_CONTAINS(r.out, "\"cli-0\"");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "a.auto.tfvars",
                            "prefix = \"auto\"\n"));
    RUN(0, "plan");
    ASSERT_STR_CONTAINS(r.out, "\"auto-0\"");
    RUN(1, "plan", "-var", "nope=1");
    RUN(1, "plan", "-var-file=missing.tfvars");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, terminal_prompt_and_colour)
{
    const char *apply[] = {"apply", NULL};
    const char *apply_nc[] = {"apply", "-no-color", NULL};

    start(NULL);
    config("ec2.amazonaws.com", 1);
    ASSERT_OK(tt_run_tern_pty(&r, tern_test_tmpdir(), "no\n", env.env, apply));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.out, "Do you want to perform these actions?");
    ASSERT_STR_CONTAINS(r.out, "Only 'yes' will be accepted to approve.");
    /* views/operation.go Cancelled: one line, no diagnostic */
    ASSERT_STR_CONTAINS(r.out, "\r\nApply cancelled.\r\n");
    ASSERT_STR_NOT_CONTAINS(r.out, "Error");
    ASSERT_STR_CONTAINS(r.out, "\033[");
    tt_run_release(&r);

    ASSERT_OK(
        tt_run_tern_pty(&r, tern_test_tmpdir(), "yes\n", env.env, apply_nc));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added");
    ASSERT_STR_NOT_CONTAINS(r.out, "\033[");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* apply -refresh-only on a terminal asks Terraform's refresh-only
 * question (backend/local/backend_apply.go, plans.RefreshOnlyMode), in
 * the workspace's name when it is not "default"; "yes" records the drift,
 * after which a refresh-only plan finds nothing. */
TEST(cli_apply, refresh_only_prompt)
{
    const char *upd[] = {"RoleName", "app-0", "Description", "by hand", NULL};
    const char *ro[] = {"apply", "-refresh-only", "-no-color", NULL};
    struct tt_response resp;

    start(NULL);
    config("ec2.amazonaws.com", 1);
    RUN(0, "apply", "-auto-approve");
    tt_run_release(&r);
    ASSERT_OK(tt_iam(&resp, &sim, "UpdateRole", upd));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    ASSERT_OK(tt_run_tern_pty(&r, tern_test_tmpdir(), "no\n", env.env, ro));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.out, "objects.\r\n"
                               "\r\n"
                               "Would you like to update the tern state to "
                               "reflect these detected changes?\r\n"
                               "  tern will write these changes to the state "
                               "without modifying any real infrastructure."
                               "\r\n"
                               "  There is no undo. Only 'yes' will be "
                               "accepted to confirm.\r\n"
                               "\r\n"
                               "  Enter a value: ");
    tt_run_release(&r);
    RUN(0, "workspace", "new", "w2");
    RUN(0, "apply", "-auto-approve", "-var", "prefix=w2");
    tt_run_release(&r);
    upd[1] = "w2-0";
    ASSERT_OK(tt_iam(&resp, &sim, "UpdateRole", upd));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    ASSERT_OK(tt_run_tern_pty(&r, tern_test_tmpdir(), "no\n", env.env, ro));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.out, "Would you like to update the tern state for "
                               "\"w2\" to reflect these detected changes?"
                               "\r\n");
    tt_run_release(&r);
    RUN(0, "workspace", "select", "default");
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_pty(&r, tern_test_tmpdir(), "yes\n", env.env, ro));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "\r\nApply complete! Resources: 0 added, 0 "
                               "changed, 0 destroyed.\r\n");
    tt_run_release(&r);
    RUN(0, "plan", "-refresh-only", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure still "
                               "matches the configuration.\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, progress)
{
    const char *sim_args[] = {"--latency-ms", "400", NULL};
    const char *args[] = {"apply", "-auto-approve", NULL};
    const char *jargs[] = {"destroy", "-auto-approve", "-json", NULL};
    const char *const *penv = env.env;

    start(sim_args);
    tt_sim_env_add(&env, "TERN_PROGRESS_INTERVAL=0.3");
    config("ec2.amazonaws.com", 1);
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, penv, args));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r[0]: Still creating... [0.3s "
                               "elapsed]\n");
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, penv, jargs));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "\"type\":\"apply_progress\"");
    ASSERT_STR_CONTAINS(r.out, "Still destroying...");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The progress lines name the object a destroy or an update works on
 * (views/hook_ui.go): "Destroying... [id=ID]", and "Still destroying...
 * [id=ID, 0.3s elapsed]" with an ID over 80 characters cut to its first
 * 39 and last 38 around "..." (truncateId). A create names none. */
TEST(cli_apply, progress_ids)
{
    const char *sim_args[] = {"--latency-ms", "400", NULL};
    const char *args[] = {"apply", "-auto-approve", "-parallelism=1", NULL};
    const char *dargs[] = {"destroy", "-auto-approve", "-parallelism=1", NULL};
    const char *const *penv = env.env;
    char name[91], text[2048], line[512];

    memset(name, 'p', 90);
    name[90] = '\0';
    start(sim_args);
    tt_sim_env_add(&env, "TERN_PROGRESS_INTERVAL=0.3");
    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"r\" {\n"
             "  name = \"app-0\"\n"
             "  assume_role_policy = jsonencode({\n"
             "    Version = \"2012-10-17\"\n"
             "    Statement = [{\n"
             "      Effect    = \"Allow\"\n"
             "      Principal = { Service = \"ec2.amazonaws.com\" }\n"
             "      Action    = \"sts:AssumeRole\"\n"
             "    }]\n"
             "  })\n"
             "}\n\n"
             "resource \"aws_iam_role_policy\" \"p\" {\n"
             "  role   = aws_iam_role.r.name\n"
             "  name   = \"%s\"\n"
             "  policy = jsonencode({\n"
             "    Version   = \"2012-10-17\"\n"
             "    Statement = [{ Effect = \"Allow\", Action = \"s3:*\", "
             "Resource = \"*\" }]\n"
             "  })\n"
             "}\n",
             name);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, penv, args));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r: Creating...\n");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r: Still creating... [0.3s "
                               "elapsed]\n");
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, penv, dargs));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r: Refreshing state... "
                               "[id=app-0]\n");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r: Destroying... [id=app-0]\n");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r: Still destroying... "
                               "[id=app-0, 0.3s elapsed]\n");
    snprintf(line, sizeof(line),
             "aws_iam_role_policy.p: Destroying... [id=app-0:%s]\n", name);
    ASSERT_STR_CONTAINS(r.out, line);
    /* "app-0:" and 33 of the name, "...", the last 38 of the name */
    snprintf(line, sizeof(line),
             "aws_iam_role_policy.p: Still destroying... "
             "[id=app-0:%.33s...%.38s, 0.3s elapsed]\n",
             name, name);
    ASSERT_STR_CONTAINS(r.out, line);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* A deposed object's progress lines (views/hook_ui.go): its start and end
 * lines name it "ADDR (deposed object KEY)", but "Still destroying..."
 * names the instance alone, as stillRunning keeps the plain address. The
 * old role of a create_before_destroy replacement is kept deposed while a
 * policy attached by hand stops its delete (DeleteConflict). */
TEST(cli_apply, progress_deposed)
{
    const char *pol[] = {"RoleName", "old", "PolicyArn",
                         "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL};
    struct tt_response resp;

    start(NULL);
    tt_sim_env_add(&env, "TERN_PROGRESS_INTERVAL=0.3");
    tt_sim_env_add(&env, "TERN_PROPAGATION_TIMEOUT_MS=300");
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "main.tf",
                      "variable \"name\" {\n"
                      "  type = string\n"
                      "}\n\n"
                      "resource \"aws_iam_role\" \"a\" {\n"
                      "  name = var.name\n"
                      "  assume_role_policy = jsonencode({\n"
                      "    Version = \"2012-10-17\"\n"
                      "    Statement = [{\n"
                      "      Effect    = \"Allow\"\n"
                      "      Principal = { Service = \"ec2.amazonaws.com\" }\n"
                      "      Action    = \"sts:AssumeRole\"\n"
                      "    }]\n"
                      "  })\n"
                      "  lifecycle {\n"
                      "    create_before_destroy = true\n"
                      "  }\n"
                      "}\n"));
    RUN(0, "apply", "-auto-approve", "-var", "name=old");
    ASSERT_OK(tt_iam(&resp, &sim, "AttachRolePolicy", pol));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    RUN(1, "apply", "-auto-approve", "-var", "name=new");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a (deposed object 00000003): "
                               "Destroying... [id=old]\n");
    ASSERT_OK(tt_iam(&resp, &sim, "DetachRolePolicy", pol));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    /* Every call of the delete now takes 400 ms: it runs past the 0.3 s
     * interval whatever the machine's load. */
    ASSERT_OK(
        tt_sim_control(&resp, &sim, "POST", "faults", "{\"latency_ms\": 400}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    RUN(0, "apply", "-auto-approve", "-var", "name=new");
    ASSERT_STR_CONTAINS(r.out, "\naws_iam_role.a (deposed object 00000003): "
                               "Destroying... [id=old]\n");
    ASSERT_STR_CONTAINS(r.out, "\naws_iam_role.a: Still destroying... "
                               "[id=old, 0.3s elapsed]\n");
    ASSERT_STR_NOT_CONTAINS(r.out, "(deposed object 00000003): Still");
    ASSERT_STR_CONTAINS(r.out, "\naws_iam_role.a (deposed object 00000003): "
                               "Destruction complete after ");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, drift)
{
    const char *upd[] = {"RoleName", "app-0", "Description", "by hand", NULL};
    const char *del[] = {"RoleName", "app-1", NULL};
    struct tt_response resp;

    start(NULL);
    config("ec2.amazonaws.com", 2);
    RUN(0, "apply", "-auto-approve");
    ASSERT_OK(tt_iam(&resp, &sim, "UpdateRole", upd));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    ASSERT_OK(tt_iam(&resp, &sim, "DeleteRole", del));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    /* Nothing the plan changes refers to the roles: the plan puts them
     * back without the note (jsonformat renderHumanDiffDrift shows only
     * the relevant attributes' drift)... */
    RUN(0, "plan");
    ASSERT_STR_NOT_CONTAINS(r.out, "changed outside of tern");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.r[0] will be updated "
                               "in-place\n");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.r[1] will be created\n");
    /* ...which a refresh-only plan shows whole. */
    RUN(0, "plan", "-refresh-only");
    ASSERT_STR_CONTAINS(r.out, "Note: Objects have changed outside of tern");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.r[0] has changed\n");
    ASSERT_STR_CONTAINS(r.out, "+ description");
    ASSERT_STR_CONTAINS(r.out, "\"by hand\"");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.r[1] has been deleted\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_apply, import_and_graph)
{
    const char *create[] = {"RoleName", "app-0", "AssumeRolePolicyDocument",
                            "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                            "\"Effect\":\"Allow\",\"Principal\":{"
                            "\"Service\":\"ec2.amazonaws.com\"},"
                            "\"Action\":\"sts:AssumeRole\"}]}",
                            NULL};
    struct tt_response resp;

    start(NULL);
    config("ec2.amazonaws.com", 1);
    ASSERT_OK(tt_iam(&resp, &sim, "CreateRole", create));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    RUN(0, "import", "aws_iam_role.r[0]", "app-0");
    ASSERT_STR_CONTAINS(r.out, "Import successful!");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.r[0]\n");
    RUN(1, "import", "aws_iam_role.r[0]", "app-0");
    RUN(1, "import", "aws_iam_role.r[0]");
    ASSERT_STR_EQ(r.err, "Error: Missing required argument\n"
                         "\n"
                         "Usage: tern import [options] ADDRESS ID\n"
                         "\n"
                         "For more help on using this command, run:\n"
                         "  tern import -help\n");
    RUN(0, "graph");
    ASSERT_STR_CONTAINS(r.out, "digraph {");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r");
    RUN(1, "graph", "-type=bogus");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid graph type\n"
                  "\n"
                  "-type must be plan, apply or destroy, not \"bogus\".\n"
                  "\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_apply_list[] = {
    TEST_INTEGRATION(cli_apply, import_and_graph),
    TEST_INTEGRATION(cli_apply, drift),
    TEST_INTEGRATION(cli_apply, progress),
    TEST_INTEGRATION(cli_apply, progress_ids),
    TEST_INTEGRATION(cli_apply, progress_deposed),
    TEST_INTEGRATION(cli_apply, terminal_prompt_and_colour),
    TEST_INTEGRATION(cli_apply, refresh_only_prompt),
    TEST_INTEGRATION(cli_apply, variables),
    TEST_INTEGRATION(cli_apply, plan_apply_destroy),
    TEST_INTEGRATION(cli_apply, json_ui),
    TEST_INTEGRATION(cli_apply, interrupt_is_graceful),
    TEST_INTEGRATION(cli_apply, second_interrupt_cancels),
    TEST_END};
