# A null anywhere inside a param value cannot travel as ASSAY_PARAMS.
experiment "a" {
  command = ["true"]
  params  = { layers = [64, null] } # ERROR: Incorrect attribute value type
}

experiment "b" {
  command = ["true"]
  params  = { opt = { name = "sgd" } }
  sweep {
    param "opt" { values = [{ name = "adam", beta = [0.9, null] }] } # ERROR: Incorrect attribute value type
  }
}
