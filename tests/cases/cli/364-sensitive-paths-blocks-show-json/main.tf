# Issue 20, finding 5: show -json marks the same paths that state show
# hides (case 361): sensitive_values is true at each path of the state's
# sensitive_attributes, an object or array of the members' marks above.
