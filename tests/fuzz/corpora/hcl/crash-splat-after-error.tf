a = "$${"${"${x}"}"$}"
b    {a]2} : k => v]
d = x[*].terraform..*yz[0]
