/*
 * The fixture of the module tests (tests/unit/test_mod_*.c): a tern-sim of
 * the test's own, IAM, STS and Databricks clients pointed at it, and a
 * tern_op to call module operations with, plus helpers to look at what
 * tern-sim holds (/_sim/dump) and was asked (/_sim/calls).
 */
#ifndef TERN_TEST_MOD_H
#define TERN_TEST_MOD_H

#include <jansson.h>

#include "../../modules/aws/iam_common.h"
#include "aws/client.h"
#include "databricks/client.h"
#include "tern/module.h"
#include "support.h"

#define MOD_ACCOUNT "123456789012"
#define MOD_TRUST_EC2                                                          \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"                       \
    "\"Action\":\"sts:AssumeRole\"}]}"
#define MOD_TRUST_LAMBDA                                                       \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"                    \
    "\"Action\":\"sts:AssumeRole\"}]}"

/* MOD_TRUST_EC2 as a JSON string literal, for configurations in JSON. */
#define MOD_TRUST_EC2_Q                                                        \
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"               \
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"         \
    "\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\""

struct mod_fx {
    struct tt_sim sim;
    tern_http *http;
    tern_aws_credentials *creds;
    tern_aws_client *iam;
    tern_aws_client *sts;
    tern_aws_client *ec2; /* signed for us-east-1 */
    tern_dbx_client *dbx;
    struct tern__aws_clients aws; /* creds, iam, sts, ec2: the AWS client */
    struct tern_diags diags;
    json_t *provider;
    atomic_int cancel;
    tern_op op; /* client = &aws, diags, provider, cancel */
    /* The walks below fail each allocation with every later one, not
     * alone: Jansson's lexer ignores a failure to grow the string it saves
     * (load.c lex_save) and, with the next allocation succeeding, asserts
     * on a string with escapes (lex_scan_string). */
    int walk_sticky;
};

/* Start tern-sim (extra flags, NULL-terminated, or NULL) and the clients;
 * op.client is the AWS provider's (&aws): a Databricks module's test sets
 * it to dbx. */
void mod_fx_start(struct mod_fx *fx, const char *const *sim_args);
void mod_fx_stop(struct mod_fx *fx);

/* Parse JSON text or fail the test. */
json_t *mod_json(const char *text);

/* /_sim/dump, parsed. */
json_t *mod_dump(struct mod_fx *fx);
/* The role / instance profile of that name in the dump (borrowed from
 * *dump), or NULL. */
json_t *mod_dump_role(json_t *dump, const char *name);
json_t *mod_dump_profile(json_t *dump, const char *name);

/* The actions tern-sim logged since the last mod_clear_calls(), joined
 * with ",", e.g. "CreateRole,AddRoleToInstanceProfile" (static buffer). */
const char *mod_calls(struct mod_fx *fx);
void mod_clear_calls(struct mod_fx *fx);

/* POST /_sim/load or /_sim/faults with this JSON; fails the test unless
 * 200. */
void mod_load(struct mod_fx *fx, const char *json);
void mod_faults(struct mod_fx *fx, const char *json);

/* An IAM call made outside tern (drift): name, value, ..., NULL. Returns
 * the tern error. */
int mod_iam(struct mod_fx *fx, const char *action, ...);

/* The details of every diagnostic so far, joined (static buffer); and
 * forget them. */
const char *mod_diag_text(struct mod_fx *fx);
void mod_diag_clear(struct mod_fx *fx);

/*
 * Run @m's read of @arg_text (a configuration or prior state, JSON) once
 * unhindered, then once with each of its allocations failing alone
 * (tern's, Jansson's): every run gives the whole state the unhindered one
 * gave, or ends in TERN_ENOMEM with no error diagnostic, never a state
 * short of an attribute (issue 20). Fails the test otherwise; returns
 * how many allocations the unhindered read made.
 */
unsigned long mod_read_walk(struct mod_fx *fx, const tern_module *m,
                            const char *arg_text);
/* The same over a resource's read of @prior. */
unsigned long mod_read_walk_state(struct mod_fx *fx, const tern_module *m,
                                  const json_t *prior);
/* The same over @m's create of @cfg_text, tern-sim reset and loaded with
 * @load (JSON, "{}" for nothing) before each run; create_date, which
 * follows the sim's clock, is left out of the comparison. */
unsigned long mod_create_walk(struct mod_fx *fx, const tern_module *m,
                              const char *cfg_text, const char *load);

/* A string attribute of a state. */
const char *mod_str(const json_t *state, const char *key);

#endif
