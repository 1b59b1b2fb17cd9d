package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/pipeline"
)

// The schema's steps, which Open applies to a database that lacks them.
func ExampleMigrations() {
	steps, err := pgstore.Migrations()
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range steps {
		fmt.Printf("%03d %s\n", m.Version, m.Name)
	}
	// Output:
	// 001 incidents
	// 002 delivery_log
	// 003 silences
	// 004 overrides
}

// A replica of a service: the whole pipeline from its file, its state in
// the database the replicas share.
func Example_replica() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	file, err := pipeline.LoadFile("alertkit.yaml")
	if err != nil {
		log.Fatal(err)
	}
	host, _ := os.Hostname()
	svc, err := file.Build(pipeline.BuildOptions{Store: store, Log: store.DeliveryLog(), Replica: host})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.Pipeline.Restore(ctx); err != nil {
		log.Fatal(err)
	}
	base := svc.Silences.List() // the file's silences, beside the database's
	go func() { _ = store.Silences().Run(ctx, svc.Silences, &pgstore.SyncOptions{Base: base}) }()
	_ = svc.Pipeline.Run(ctx)
}
