# A GPU workstation or runner. gpus = "auto" asks nvidia-smi; set
# ASSAY_GPUS=0,1 (or a list here) to choose devices by hand.
executor "local" {
  gpus   = "auto"
  labels = ["gpu"]
}
