module github.com/alertkit/alertkit/internal/bench

go 1.26.0

replace github.com/alertkit/alertkit => ../..

require (
	github.com/alertkit/alertkit v0.0.0-00010101000000-000000000000
	github.com/prometheus/alertmanager v0.34.2
	github.com/prometheus/common v0.73.1
)

require (
	github.com/alecthomas/participle/v2 v2.1.4 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
