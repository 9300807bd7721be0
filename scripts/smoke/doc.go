// Package smoke tests the function binaries as they are deployed, where
// other tests run their handlers in-process. It builds every function's
// bootstrap with the deployed build flags for this machine and runs each
// under aws-lambda-rie on 127.0.0.1 against kumo and local-kms. Then it
// sends each function every sample event under events/. It also checks that
// a function with an invalid environment stops at init with one log line
// naming the variable.
//
// The package has only tests. `make test` runs them with the local servers
// it starts; aws-lambda-rie must be in bin/, where `make test` installs it.
package smoke
