/// Runs every Expecto test of this assembly as one xUnit theory case, so `dotnet test` lists and counts them one by one.
namespace RnnVerify.Properties

open System.Reflection
open System.Threading
open Expecto
open Xunit

type Expecto() =
    static let flat =
        lazy
            (match Impl.testFromAssembly (Assembly.GetExecutingAssembly()) with
             | Some tree -> Test.toTestCodeList tree |> List.map (fun t -> String.concat " / " t.name, t.test)
             | None -> []
             |> Map.ofList)

    static let run (code: TestCode) =
        match code with
        | Sync f -> f ()
        | SyncWithCancel f -> f CancellationToken.None
        | Async a -> Async.RunSynchronously a
        | AsyncFsCheck(testConfig, _, f) -> Async.RunSynchronously(f (defaultArg testConfig FsCheckConfig.defaultConfig))

    /// The full names of all Expecto tests, as xUnit theory data.
    static member Names: obj[] seq = flat.Force() |> Map.keys |> Seq.map (fun n -> [| box n |])

    [<Theory; MemberData(nameof Expecto.Names)>]
    member _.Theorem(name: string) = run (flat.Force().[name])
