experiment "a" {
  command = ["true"]
  seeds   = "one" # ERROR: Incorrect attribute value type
}
