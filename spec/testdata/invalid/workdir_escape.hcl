experiment "a" {
  command = ["train"]
  workdir = "../elsewhere" # ERROR: Invalid workdir
}
