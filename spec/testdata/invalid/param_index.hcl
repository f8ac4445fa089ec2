experiment "a" {
  # A param is read by its name, in either form; a number names none.
  command = ["train", "--lr=${param["lr"]}", "--layer=${param[0]}"] # ERROR: Invalid param reference
  env     = { MOMENTUM = param["momentun"] } # ERROR: Reference to undeclared param
  params  = { lr = 0.1, momentum = 0.9 }
}
