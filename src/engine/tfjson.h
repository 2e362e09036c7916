/*
 * Terraform's JSON representations (hashicorp/terraform
 * website/docs/internals/json-format.mdx; internal/command/jsonplan,
 * jsonstate and jsonconfig), the pieces the engine's plan and the CLI's
 * state and configuration output share. Private to tern: the engine
 * builds the plan representation (it needs the plan's instances), the CLI
 * the state's and the configuration's.
 */
#ifndef TERN_ENGINE_TFJSON_H
#define TERN_ENGINE_TFJSON_H

#include <jansson.h>

#include "tern/module.h"
#include "tern/state.h"
#include "tern/value.h"

/* The Terraform language version tern implements: `terraform_version` in
 * every JSON document, and what `required_version` is checked against. */
#define TERN_LANGUAGE_VERSION "1.9.8"

/* jsonplan.FormatVersion and jsonstate.FormatVersion of Terraform 1.9 (as
 * of 1.5: neither changed between). */
#define TERN_PLAN_JSON_FORMAT  "1.2"
#define TERN_STATE_JSON_FORMAT "1.0"

/*
 * The provider's source address as the formats give it
 * ("registry.terraform.io/hashicorp/aws") from a stored provider address
 * (`provider["registry.terraform.io/hashicorp/aws"].west`), or, when
 * @stored is NULL, from the resource type's prefix. New string (tern_free).
 */
char *tern__tfjson_provider_name(const char *stored, const char *type);

/*
 * Terraform's jsonstate.SensitiveAsBool of a state object: @value (an
 * object) with @paths (the state's sensitive paths, Terraform's
 * [[{"type":"get_attr","value":"x"}], ...]) and the attributes @schema
 * marks sensitive: true where sensitive; objects keep only their
 * non-false members; arrays keep every element. New reference, NULL
 * when out of memory (as for every builder below but _known and _index).
 */
json_t *tern__tfjson_state_sensitive(const json_t *value, const json_t *paths,
                                     const tern_attr *schema);

/* The same for a value whose sensitive marks it carries. */
json_t *tern__tfjson_sensitive(const tern_value *v, const tern_attr *schema);

/* jsonplan's unknownAsBool: true where unknown; objects keep only their
 * non-false members. New reference. */
json_t *tern__tfjson_unknown(const tern_value *v);

/* jsonplan's omitUnknowns, as JSON: unknown members of objects left out,
 * unknown elements of lists as null. NULL when @v is wholly unknown, or
 * when out of memory, which sets *oom (and a set *oom gives NULL). */
json_t *tern__tfjson_known(const tern_value *v, int *oom);

/* An instance key as JSON ("index"): a number or a string; NULL for
 * TERN_STATE_KEY_NONE, or when out of memory. */
json_t *tern__tfjson_index(enum tern_state_key kind, long long i,
                           const char *s);

/* The cty type of a JSON value as Terraform's JSON gives it: "string",
 * ["list","string"], ["object",{...}]... New reference. */
json_t *tern__tfjson_type(const json_t *v);

/*
 * A schema attribute's cty type as Terraform's JSON gives it: "string",
 * "number", "bool", ["list","string"], ["set","string"],
 * ["map","string"], and for a nested block ["list",["object",{...}]] or
 * ["set",[...]]. A dynamic attribute is "dynamic" (cty's
 * DynamicPseudoType, as `providers schema -json` writes it), or, with
 * @dynamic_open, NULL, and so is any block holding one: the caller then
 * infers the type from the value, as a root output's type does
 * (engine/output_type.c). NULL when out of memory, which sets *oom. New
 * reference.
 */
json_t *tern__tfjson_schema_type(const tern_attr *a, int dynamic_open,
                                 int *oom);

/*
 * The type of a stored output ({"value", "sensitive", "type"} as
 * tern_state_outputs() gives it): its "type" where one was saved (the
 * declared type, engine/output_type.c, or a pushed state's), else
 * inferred from its value (tern__tfjson_type). New reference.
 */
json_t *tern__tfjson_output_type(const json_t *output);

/* Nest module instances as Terraform's values representation does (a
 * module's child_modules hold the modules it calls), each list sorted by
 * address: @flat holds {"address", "resources"} objects, one per module
 * instance in any order; ancestors with no resources get only an
 * address. Returns the root's child_modules, a new reference. */
json_t *tern__tfjson_nest_modules(json_t *flat);

#endif
