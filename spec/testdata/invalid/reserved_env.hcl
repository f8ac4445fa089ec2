experiment "a" {
  command = ["train"]
  env     = { CUDA_VISIBLE_DEVICES = "0" } # ERROR: Reserved environment variable
}
