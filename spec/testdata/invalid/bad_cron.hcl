experiment "a" {
  command  = ["true"]
  schedule = "0 25 * * *" # ERROR: Invalid schedule
}
