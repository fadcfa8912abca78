// Each run-mode test starts the whole system (DCP, the dashboard, redis-server, four service processes); two at
// once would only fight over a small machine's cores. Test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
