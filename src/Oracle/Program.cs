using System.CommandLine;
using RnnVerify.Oracle;

var root = new RootCommand("rnnverify: a correctness oracle for recurrent network (RNN, LSTM, GRU) implementations.");
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(NewCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(GoldenCommand.Create());
return root.Parse(args).Invoke();
