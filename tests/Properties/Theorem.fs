/// How theorems are declared: an Expecto property whose name is the statement, run on at least 1,000 cases by default.
module RnnVerify.Properties.Theorem

open System
open Expecto

/// Cases per property: 1,000 by default; RNNVERIFY_CASES=N asks for a longer (or shorter, for debugging) run.
let cases =
    match Environment.GetEnvironmentVariable "RNNVERIFY_CASES" with
    | null | "" -> 1000
    | s ->
        match Int32.TryParse s with
        | true, n when n > 0 -> n
        | _ -> failwithf "RNNVERIFY_CASES must be a positive integer, got %s" s

/// The FsCheck configuration every theorem runs with: `cases` cases; Expecto prints the seed and the shrunk
/// counterexample on failure; RNNVERIFY_SEED="a,b,size" (the numbers after `etestPropertyWithConfig`) replays it.
let config =
    let baseConfig = { FsCheckConfig.defaultConfig with maxTest = cases }
    match Environment.GetEnvironmentVariable "RNNVERIFY_SEED" with
    | null | "" -> baseConfig
    | s ->
        match s.Split(',') with
        | [| a; b |] -> { baseConfig with replay = Some(UInt64.Parse(a.Trim()), UInt64.Parse(b.Trim()), None) }
        | [| a; b; size |] ->
            { baseConfig with replay = Some(UInt64.Parse(a.Trim()), UInt64.Parse(b.Trim()), Some(Int32.Parse(size.Trim()))) }
        | _ -> failwithf "RNNVERIFY_SEED must be \"seed,gamma[,size]\" as printed by a failing run, got %s" s

/// A theorem: an FsCheck property named by its statement.
let theorem name (property: 'a) = testPropertyWithConfig config name property

/// A theorem with a case count other than the default (for properties whose single case is itself a long computation);
/// the reason must be stated in the theorem's doc comment.
let theoremWith count name (property: 'a) = testPropertyWithConfig { config with maxTest = count } name property
