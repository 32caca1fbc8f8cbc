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

/// One measured quantity against its bound, as a theorem may report it with `observe` (for the reports' evidence).
type Observation =
    {
        /// What was measured, e.g. "‖h_t‖∞ / bound".
        Quantity: string
        /// The measured value.
        Measured: float
        /// The bound the theorem asserts for it (Measured ≤ Bound when the theorem holds).
        Bound: float
        /// The case (FsCheck's rendering of the generated recipe) it was measured on.
        Case: string
    }

/// Collects evidence while a report runs a theorem: evaluations of the property and the observation with the largest
/// Measured ÷ Bound. Installed by `collecting`; absent in test runs, where `observe` does nothing.
type Collector() =
    /// Property evaluations (generated cases and shrink candidates).
    member val Evaluations = 0 with get, set
    /// The observation with the largest Measured ÷ Bound so far.
    member val Worst: Observation option = None with get, set
    /// Observations recorded.
    member val Observations = 0 with get, set
    /// Cases that declared themselves decided exactly (`exactly`): equality or order of exact values, no tolerance.
    member val ExactCases = 0 with get, set
    /// The case being evaluated (rendered only when it becomes the worst).
    member val internal Current: obj = null with get, set

let private ambient = new System.Threading.AsyncLocal<Collector>()

/// Measured ÷ Bound, with 0 ÷ 0 = 0 (nothing measured against a zero bound) and x ÷ 0 = ∞ for x > 0; NaN counts as ∞.
let ratioOf (measured: float) (bound: float) =
    if System.Double.IsNaN measured || System.Double.IsNaN bound then infinity
    elif measured = 0.0 then 0.0
    elif bound > 0.0 then measured / bound
    else infinity

let private ratio (o: Observation) = ratioOf o.Measured o.Bound

/// True while a report is collecting evidence: a theorem computes its measured quantity only then (`observeWorst`).
let collectingEvidence () = not (isNull (box ambient.Value))

/// Records a measured quantity and its bound for the case being checked; a no-op unless a report is collecting.
let observe (quantity: string) (measured: float) (bound: float) =
    match ambient.Value with
    | c when isNull (box c) -> ()
    | c ->
        c.Observations <- c.Observations + 1
        let o = { Quantity = quantity; Measured = measured; Bound = bound; Case = "" }
        match c.Worst with
        | Some w when not (ratio o > ratio w) -> ()
        | _ -> c.Worst <- Some { o with Case = sprintf "%A" c.Current }

/// Records, for the case being checked, the (measured, bound) pair with the largest measured ÷ bound among `pairs`; the
/// pairs are computed only while a report is collecting (test runs pay nothing), and an empty sequence records nothing.
let observeWorst (quantity: string) (pairs: unit -> seq<float * float>) =
    if collectingEvidence () then
        let ps = pairs () |> Array.ofSeq
        if ps.Length > 0 then
            let m, b = ps |> Array.maxBy (fun (m, b) -> ratioOf m b)
            observe quantity m b

/// Declares that the case being checked was decided exactly (equality or order of exact values: rationals, integers, or
/// ball enclosures compared end to end), so there is no measured quantity against a tolerance; a no-op in test runs.
let exactly () =
    match ambient.Value with
    | c when isNull (box c) -> ()
    | c -> c.ExactCases <- c.ExactCases + 1

/// Runs `body` with `collector` receiving the evidence of every theorem evaluated on this (logical) thread.
let collecting (collector: Collector) (body: unit -> 'r) : 'r =
    let previous = ambient.Value
    ambient.Value <- collector
    try body () finally ambient.Value <- previous

let private recorded (prop: 'case -> Verdict) (c: 'case) : Verdict =
    match ambient.Value with
    | col when isNull (box col) -> prop c
    | col ->
        col.Evaluations <- col.Evaluations + 1
        col.Current <- box c
        prop c

/// A theorem as the report generator reruns it: its entry, the case count the test run uses, and the FsCheck property.
type Registered =
    {
        /// The theorem.
        Entry: Entry
        /// Cases per run in `dotnet test` (`Theorem.cases`, or the count given to `theoremWith`).
        Cases: int
        /// The property the test checks (the same value), to be run with the report's own seed and case count.
        Property: Property
    }

let private registry = System.Collections.Concurrent.ConcurrentDictionary<string, Registered>()

let private register entry cases (arb: Arbitrary<'case>) (prop: 'case -> Verdict) =
    let property = Prop.forAll arb (recorded prop >> verdict)
    registry[entry.Statement] <- { Entry = entry; Cases = cases; Property = property }
    property

/// Every theorem declared with `theorem`/`theoremWith` whose test value has been built (build the Expecto test tree of
/// this assembly first, e.g. with `Expecto.Impl.testFromAssembly`), by statement.
let registered () : Registered list = registry.Values |> Seq.sortBy (fun r -> r.Entry.Id, r.Entry.Statement) |> List.ofSeq

/// The theorem as an FsCheck property over `arb`, run `Theorem.cases` times; the test name is the statement.
let theorem (entry: Entry) (arb: Arbitrary<'case>) (prop: 'case -> Verdict) =
    Theorem.theorem entry.Statement (register entry Theorem.cases arb prop)

/// As `theorem` with another case count (the reason is stated in the entry's `Decided`).
let theoremWith count (entry: Entry) (arb: Arbitrary<'case>) (prop: 'case -> Verdict) =
    Theorem.theoremWith count entry.Statement (register entry count arb prop)

/// A plain (non-random) check of the theorem on a named case.
let example (entry: Entry) (case: string) (body: unit -> Verdict) =
    testCase $"{entry.Statement} [{case}]" (fun () ->
        match body () with
        | Ok() -> ()
        | Error m -> failtest m)

/// Seeds for the refutation tests: fixed, so the refutation is reproducible.
let private refutationSeed = Rnd(20260101UL, 7UL)

/// The theorem rejects a broken implementation: among 200 cases drawn with a fixed seed from the theorem's own
/// generator, the check fed the broken implementation fails on at least one (the cases are tried in order up to the first
/// failure; the absence of any failure fails this test).
let catches (entry: Entry) (broken: string) (gen: Gen<'case>) (prop: 'case -> Verdict) =
    testCase $"{entry.Id} catches {broken}" (fun () ->
        let cases = Gen.sampleWithSeed refutationSeed 10 200 gen
        // Stops at the first case that rejects the broken implementation.
        let failure = cases |> Array.tryPick (fun c -> match prop c with Error m -> Some m | Ok() -> None)
        if failure.IsNone then
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
