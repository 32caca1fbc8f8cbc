using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; choose with --filter, e.g. `-- --filter '*'` or `-- --filter '*Arithmetic*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
