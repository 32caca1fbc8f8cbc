/// The catalogue itself: every theorem entry is checked by a test named by its statement, has the fields a report needs,
/// and is shown to catch at least one broken implementation.
module RnnVerify.Properties.Theorems.Index

open System.Reflection
open Expecto
open RnnVerify.Properties.Catalogue

/// The names of all Expecto tests in this assembly.
let private testNames () =
    match Impl.testFromAssembly (Assembly.GetExecutingAssembly()) with
    | Some tree -> Test.toTestCodeList tree |> List.map (fun t -> String.concat " / " t.name)
    | None -> []

[<Tests>]
let tests =
    testList "Catalogue" [
        testCase "every theorem entry has a statement, hypotheses, a source, a proof and a decision method, is tested under its statement and catches a broken implementation" (fun () ->
            let entries = entries ()
            let names = testNames ()
            if entries.Length < 20 then failtestf "only %d entries found by reflection" entries.Length
            for e in entries do
                if e.Hypotheses.IsEmpty || e.Source = "" || e.Proof = "" || e.Decided = "" then failtestf "entry %s lacks a field" e.Id
                if not (names |> List.exists (fun n -> n.Contains e.Statement)) then failtestf "no test is named by the statement of %s" e.Id
                if not (names |> List.exists (fun n -> n.Contains(e.Id + " catches "))) then failtestf "entry %s has no test catching a broken implementation" e.Id)
    ]
