experiment "a" {
  command     = ["true"]
  description = uppr("x") # ERROR: Call to unknown function
}
