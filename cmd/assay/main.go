// Command assay is GitOps experiment management for machine-learning teams.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], newSystemFactory()))
}
