/*
 * tern-sim's Databricks SCIM API, cluster policies and catalogs over raw
 * HTTP: SCIM's error document, filters, the list's shape without matches,
 * uniqueness, PATCH of roles against the registered instance profiles,
 * Me; spark-versions and list-node-types on 2.0 and 2.1; the policies'
 * get of an unknown id; a throttling fault in Databricks' shape with
 * Retry-After on a SCIM path; and loads that are refused.
 */
#include "runner.h"
#include "support.h"

#include <jansson.h>
#include <string.h>

/* Kept in step with SIM_DEFAULT_DBX_TOKEN in tests/sim/sim.h. */
#define AUTH     "Authorization: Bearer dapi-ternsim-default-token-0001"
#define ARN      "arn:aws:iam::123456789012:instance-profile/shared"
#define USERS_ID "7000000000003093"

static void call(struct tt_response *r, const struct tt_sim *sim,
                 const char *method, const char *path, const char *body)
{
    char url[512];
    const char *hdrs[3] = {"Content-Type: application/json", AUTH, NULL};

    snprintf(url, sizeof(url), "%s%s", sim->base_url, path);
    ASSERT_OK(tt_http(r, method, url, hdrs, body, body ? strlen(body) : 0));
}

static void expect(struct tt_response *r, long status, const char *body)
{
    if (r->status != status)
        FAIL("status %ld, expected %ld:\n%s", r->status, status, r->body);
    ASSERT_STR_EQ(r->body, body);
    tt_response_release(r);
}

TEST(sim_dbx_scim, groups_errors_and_roles)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    call(&r, &sim, "GET", "/api/2.0/preview/scim/v2/Groups/404", NULL);
    expect(&r, 404,
           "{\"detail\":\"Group with id 404 not found.\",\"schemas\":"
           "[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
           "\"status\":\"404\"}");
    call(&r, &sim, "GET",
         "/api/2.0/preview/scim/v2/Groups?filter=displayName%20eq%20%27none%27",
         NULL);
    expect(&r, 200,
           "{\"itemsPerPage\":0,\"schemas\":[\"urn:ietf:params:scim:api:"
           "messages:2.0:ListResponse\"],\"startIndex\":1,\"totalResults\":0}");
    call(&r, &sim, "GET",
         "/api/2.0/preview/scim/v2/Groups?filter=displayName%20co%20%22u%22",
         NULL);
    expect(&r, 400,
           "{\"detail\":\"Unsupported filter: displayName co \\\"u\\\". Only "
           "'displayName eq \\\"...\\\"' is supported\",\"schemas\":"
           "[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
           "\"scimType\":\"invalidFilter\",\"status\":\"400\"}");
    call(&r, &sim, "POST", "/api/2.0/preview/scim/v2/Groups",
         "{\"displayName\": \"users\"}");
    expect(&r, 409,
           "{\"detail\":\"Group with name users already exists.\",\"schemas\":"
           "[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
           "\"scimType\":\"uniqueness\",\"status\":\"409\"}");
    /* A role needs a registered instance profile. */
    call(&r, &sim, "PATCH", "/api/2.0/preview/scim/v2/Groups/" USERS_ID,
         "{\"Operations\": [{\"op\": \"add\", \"path\": \"roles\", "
         "\"value\": [{\"value\": \"" ARN "\"}]}]}");
    expect(&r, 400,
           "{\"detail\":\"Instance profile " ARN " is not registered with "
           "this workspace. Add it to the workspace before assigning it.\","
           "\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
           "\"scimType\":\"invalidValue\",\"status\":\"400\"}");
    call(&r, &sim, "POST", "/api/2.0/instance-profiles/add",
         "{\"instance_profile_arn\": \"" ARN "\", \"skip_validation\": true}");
    expect(&r, 200, "{}");
    call(&r, &sim, "PATCH", "/api/2.0/preview/scim/v2/Groups/" USERS_ID,
         "{\"Operations\": [{\"op\": \"add\", \"path\": \"roles\", "
         "\"value\": [{\"value\": \"" ARN "\"}]}]}");
    expect(&r, 204, "");
    call(
        &r, &sim, "GET",
        "/api/2.0/preview/scim/v2/Groups?filter=displayName%20eq%20%22users%22",
        NULL);
    expect(&r, 200,
           "{\"Resources\":[{\"displayName\":\"users\",\"entitlements\":"
           "[{\"value\":\"workspace-access\"},{\"value\":\"databricks-sql-"
           "access\"}],\"id\":\"" USERS_ID "\",\"members\":[{\"$ref\":"
           "\"Users/7000000000001031\",\"display\":\"sim-user@example.com\","
           "\"value\":\"7000000000001031\"}],\"meta\":{\"resourceType\":"
           "\"WorkspaceGroup\"},\"roles\":[{\"value\":\"" ARN "\"}],"
           "\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"]}],"
           "\"itemsPerPage\":1,\"schemas\":[\"urn:ietf:params:scim:api:"
           "messages:2.0:ListResponse\"],\"startIndex\":1,"
           "\"totalResults\":1}");
    call(&r, &sim, "PATCH", "/api/2.0/preview/scim/v2/Groups/" USERS_ID,
         "{\"Operations\": [{\"op\": \"remove\", \"path\": "
         "\"roles[value eq \\\"" ARN "\\\"]\"}]}");
    expect(&r, 204, "");
    /* PUT replaces the group: what it does not carry is gone. */
    call(&r, &sim, "PUT", "/api/2.0/preview/scim/v2/Groups/" USERS_ID,
         "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:Group\"], "
         "\"displayName\": \"users\", \"entitlements\": [{\"value\": "
         "\"workspace-access\"}]}");
    expect(&r, 200,
           "{\"displayName\":\"users\",\"entitlements\":[{\"value\":"
           "\"workspace-access\"}],\"id\":\"" USERS_ID "\",\"meta\":"
           "{\"resourceType\":\"WorkspaceGroup\"},\"schemas\":[\"urn:ietf:"
           "params:scim:schemas:core:2.0:Group\"]}");
    call(&r, &sim, "GET", "/api/2.0/preview/scim/v2/Me", NULL);
    expect(&r, 200,
           "{\"active\":true,\"displayName\":\"sim-user@example.com\","
           "\"emails\":[{\"primary\":true,\"type\":\"work\",\"value\":"
           "\"sim-user@example.com\"}],\"groups\":[{\"$ref\":\"Groups/"
           "7000000000002062\",\"display\":\"admins\",\"type\":\"direct\","
           "\"value\":\"7000000000002062\"}],\"id\":\"7000000000001031\","
           "\"schemas\":[\"urn:ietf:params:"
           "scim:schemas:core:2.0:User\"],\"userName\":\"sim-user@example."
           "com\"}");
    tt_sim_stop(&sim);
}

TEST(sim_dbx_scim, catalog_policies_and_faults)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *doc;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    call(&r, &sim, "GET", "/api/2.0/clusters/spark-versions", NULL);
    ASSERT_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    ASSERT_EQ(json_array_size(json_object_get(doc, "versions")), 12);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "versions"), 3), "name")),
        "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)");
    json_decref(doc);
    tt_response_release(&r);
    call(&r, &sim, "GET", "/api/2.1/clusters/list-node-types", NULL);
    ASSERT_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    ASSERT_EQ(json_array_size(json_object_get(doc, "node_types")), 10);
    json_decref(doc);
    tt_response_release(&r);
    call(&r, &sim, "GET", "/api/2.0/policies/clusters/get?policy_id=X", NULL);
    expect(&r, 400,
           "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":"
           "\"Can't find a cluster policy with id: X.\"}");
    call(&r, &sim, "POST", "/api/2.0/policies/clusters/create",
         "{\"name\": \"p\", \"definition\": \"{\\\"b\\\": 1, \\\"a\\\": 2}\"}");
    expect(&r, 200, "{\"policy_id\":\"D06A5E0000000001\"}");
    call(&r, &sim, "GET", "/api/2.0/policies/clusters/list", NULL);
    ASSERT_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "policies"), 0), "definition")),
        "{\"a\":2,\"b\":1}");
    json_decref(doc);
    tt_response_release(&r);
    /* Faults answer SCIM paths in Databricks' shape, with Retry-After. */
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "faults", "{\"throttle_rate\": 1}"));
    tt_response_release(&r);
    call(&r, &sim, "GET", "/api/2.0/preview/scim/v2/Me", NULL);
    ASSERT_STR_CONTAINS(r.headers, "Retry-After: 1");
    expect(&r, 429,
           "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"Too many "
           "requests. Please wait a moment and try again.\"}");
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "faults", "{\"throttle_rate\": 0}"));
    tt_response_release(&r);
    /* Loads that are refused. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"databricks\": {\"groups\": "
                             "[{\"displayName\": \"users\"}]}}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "databricks: groups[0]: users already exists");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"databricks\": {\"node_types\": [{}]}}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "databricks: node_types[0]: expected "
                                "node_type_id, num_cores and memory_mb");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_dbx_scim_list[] = {
    TEST_INTEGRATION(sim_dbx_scim, groups_errors_and_roles),
    TEST_INTEGRATION(sim_dbx_scim, catalog_policies_and_faults), TEST_END};
