/// Reruns the catalogue for the reports: every registered theorem with a chosen seed and case count, every example and
/// refutation test as `dotnet test` runs it, and the evidence each run leaves (cases, seed, shrunk counterexample, the
/// worst observation). This is the catalogue's own code, not a copy.
module RnnVerify.Properties.Evidence

open System.Reflection
open System.Threading
open Expecto
open FsCheck
open RnnVerify.Properties.Catalogue

/// FsCheck's size schedule in the reports: the same as the test run's (Expecto's default configuration).
let startSize, endSize = FsCheckConfig.defaultConfig.startSize, FsCheckConfig.defaultConfig.endSize

/// The outcome of one theorem run, in a shape C# reads directly (no options, no F# lists).
type TheoremRun =
    {
        /// True when every case satisfied the theorem.
        Passed: bool
        /// True when FsCheck gave up (too many rejected cases); neither passed nor refuted.
        Exhausted: bool
        /// Cases run (to the first failure, if any).
        Tests: int
        /// Property evaluations, including shrink candidates.
        Evaluations: int
        /// Successful shrinking steps after a failure.
        Shrinks: int
        /// Replay seed: FsCheck `Rnd(SeedA, SeedB)` (RNNVERIFY_SEED="SeedA,SeedB" with RNNVERIFY_CASES=Tests).
        SeedA: uint64
        /// Second half of the replay seed (the gamma).
        SeedB: uint64
        /// The failure message (the case and both sides), empty when passed.
        Message: string
        /// The first failing case as generated, empty when passed.
        Original: string
        /// The failing case after shrinking, empty when passed.
        Shrunk: string
        /// Observations recorded by the theorem's `observe` calls (0 when it exposes no measured quantity).
        Observations: int
        /// The observation with the largest Measured ÷ Bound, or null when none was recorded.
        Worst: Observation option
        /// Cases that declared themselves decided exactly (`Catalogue.exactly`; 0 when the theorem measures a quantity instead).
        ExactCases: int
    }

let private render (args: obj list) = args |> List.map (sprintf "%A") |> String.concat "\n"

/// Runs `r`'s property on `cases` cases from seed `Rnd(seedA, seedB)` (seedB must be odd), sequentially.
let run (r: Registered) (cases: int) (seedA: uint64) (seedB: uint64) : TheoremRun =
    let mutable result = None
    let runner =
        { new IRunner with
            member _.OnStartFixture _ = ()
            member _.OnArguments(_, _, _) = ()
            member _.OnShrink(_, _) = ()
            member _.OnFinished(_, res) = result <- Some res }
    let config =
        Config.Quick
            .WithMaxTest(cases)
            .WithStartSize(startSize)
            .WithEndSize(endSize)
            .WithReplay(Some { Rnd = Rnd(seedA, seedB); Size = None })
            .WithRunner(runner)
            .WithParallelRunConfig(None)
    let collector = Collector()
    collecting collector (fun () -> Check.One(config, r.Property))
    let empty =
        { Passed = false; Exhausted = false; Tests = 0; Evaluations = collector.Evaluations; Shrinks = 0; SeedA = seedA
          SeedB = seedB; Message = ""; Original = ""; Shrunk = ""; Observations = collector.Observations; Worst = collector.Worst
          ExactCases = collector.ExactCases }
    match result with
    | Some(TestResult.Passed(data, _)) -> { empty with Passed = true; Tests = data.NumberOfTests }
    | Some(TestResult.Exhausted data) -> { empty with Exhausted = true; Tests = data.NumberOfTests }
    | Some(TestResult.Failed(data, original, shrunk, outcome, _, _, _)) ->
        let labels = data.Labels |> String.concat "\n"
        let message =
            match outcome with
            | Outcome.Failed e when labels = "" -> e.Message
            | _ -> labels
        { empty with
            Tests = data.NumberOfTests
            Shrinks = data.NumberOfShrinks
            Message = message
            Original = render original
            Shrunk = render shrunk }
    | None -> { empty with Message = "FsCheck reported no result" }

/// Every Expecto test of the catalogue's assembly by its last name (the statement, or "Id catches …", or
/// "statement [case]"); building the tree also registers every theorem for `registered`.
let tests () : (string * TestCode) list =
    match Impl.testFromAssembly (typeof<Registered>.Assembly) with
    | Some tree -> Test.toTestCodeList tree |> List.map (fun t -> List.last t.name, t.test)
    | None -> []

/// Runs one non-property test as `dotnet test` does: null on success, else the failure message.
let runTest (code: TestCode) : string =
    try
        match code with
        | Sync f -> f ()
        | SyncWithCancel f -> f CancellationToken.None
        | Async a -> Async.RunSynchronously a
        | AsyncFsCheck(testConfig, _, f) -> Async.RunSynchronously(f (defaultArg testConfig FsCheckConfig.defaultConfig))
        null
    with e ->
        match e with
        | :? TargetInvocationException as t when not (isNull t.InnerException) -> t.InnerException.Message
        | _ -> e.Message
