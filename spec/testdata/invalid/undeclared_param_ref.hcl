experiment "a" {
  command = ["train", "--lr=${param.lrr}"] # ERROR: Reference to undeclared param
  params  = { lr = 0.1 }
}
