template "gpu-train" {
  runner { gpus = 1 }
}

experiment "a" {
  extends = template.gpu-trian # ERROR: Unknown template
  command = ["true"]
}
