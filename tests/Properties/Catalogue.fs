/// The theorem catalogue's uniform shape: every theorem is an `Entry` (statement, hypotheses, source, proof) declared
/// next to its test, so reports can be rendered from the same code that checks it; `theorem` runs it as an FsCheck
/// property named by its statement, and `catches` shows that it rejects a deliberately broken implementation.
module RnnVerify.Properties.Catalogue

open System.Reflection
open Expecto
open FsCheck
open FsCheck.FSharp

/// One theorem of the catalogue, in the shape the report generator renders.
type Entry =
    {
        /// Catalogue number and short name, e.g. "1 Superposition".
        Id: string
        /// The statement; it is also the name of the test that checks it.
        Statement: string
        /// The hypotheses, each built by a generator (not filtered for).
        Hypotheses: string list
        /// Paper (with arXiv/DOI) or "derivation in docs/theory.md §n".
        Source: string
        /// A short proof or proof sketch.
        Proof: string
        /// How the test decides the claim: exact arithmetic, or the derived tolerance it uses.
        Decided: string
    }

/// A property over one generated case: `Ok ()` or `Error message` (the message shows the case and both sides).
type Verdict = Result<unit, string>

/// The verdict as an FsCheck property that prints its failure message.
let verdict (v: Verdict) =
    match v with
    | Ok() -> Prop.ofTestable true
    | Error msg -> Prop.ofTestable false |> Prop.label msg

/// All verdicts must hold; the first failure is reported.
let all (vs: seq<Verdict>) : Verdict =
    vs |> Seq.tryPick (function Error m -> Some m | Ok() -> None) |> function Some m -> Error m | None -> Ok()

/// Ok when the condition holds, otherwise the (lazily built) message.
let check cond (msg: unit -> string) : Verdict = if cond then Ok() else Error(msg ())

/// The theorem as an FsCheck property over `arb`, run `Theorem.cases` times; the test name is the statement.
let theorem (entry: Entry) (arb: Arbitrary<'case>) (prop: 'case -> Verdict) =
    Theorem.theorem entry.Statement (Prop.forAll arb (prop >> verdict))

/// As `theorem` with another case count (the reason is stated in the entry's `Decided`).
let theoremWith count (entry: Entry) (arb: Arbitrary<'case>) (prop: 'case -> Verdict) =
    Theorem.theoremWith count entry.Statement (Prop.forAll arb (prop >> verdict))

/// A plain (non-random) check of the theorem on a named case.
let example (entry: Entry) (case: string) (body: unit -> Verdict) =
    testCase $"{entry.Statement} [{case}]" (fun () ->
        match body () with
        | Ok() -> ()
        | Error m -> failtest m)

/// Seeds for the refutation tests: fixed, so the refutation is reproducible.
let private refutationSeed = Rnd(20260101UL, 7UL)

/// The theorem rejects a broken implementation: among 200 cases drawn with a fixed seed from the theorem's own
/// generator, the check fed the broken implementation fails on at least one (the first failure is printed on success
/// of the refutation under --debug; the absence of any failure fails this test).
let catches (entry: Entry) (broken: string) (gen: Gen<'case>) (prop: 'case -> Verdict) =
    testCase $"{entry.Id} catches {broken}" (fun () ->
        let cases = Gen.sampleWithSeed refutationSeed 10 200 gen
        let failures = cases |> Array.choose (fun c -> match prop c with Error m -> Some m | Ok() -> None)
        if failures.Length = 0 then
            failtestf "the theorem \"%s\" accepted the broken implementation (%s) on all %d cases" entry.Statement broken cases.Length)

/// An Arbitrary from a generator and a shrinker of the recipe; shrunk candidates that violate `valid` are dropped,
/// so shrinking never leaves the theorem's hypotheses.
let arbitrary (gen: Gen<'recipe>) (valid: 'recipe -> bool) =
    let derived = ArbMap.defaults |> ArbMap.arbitrary<'recipe>
    Arb.fromGenShrink (gen, fun r -> derived.Shrinker r |> Seq.filter valid)

/// Every `Entry` declared as a top-level value anywhere in this assembly (found by reflection, so no hand-kept list).
let entries () =
    Assembly.GetExecutingAssembly().GetTypes()
    |> Seq.collect (fun t -> t.GetProperties(BindingFlags.Public ||| BindingFlags.Static))
    |> Seq.filter (fun p -> p.PropertyType = typeof<Entry> && p.GetIndexParameters().Length = 0)
    |> Seq.map (fun p -> p.GetValue(null) :?> Entry)
    |> Seq.distinct
    |> Seq.sortBy (fun e -> e.Id)
    |> List.ofSeq
