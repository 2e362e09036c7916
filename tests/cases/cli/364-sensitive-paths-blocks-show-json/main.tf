# Issue 20, finding 5: show -json marks the same paths that show hides
# (case 361): sensitive_values is true at each path of the state's
# sensitive_attributes, an object or array of the members' marks above,
# and true for a set (library) a path leads into.
