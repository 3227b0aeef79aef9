using System.Text.Json;
using LeanAssist.Protocol.JsonRpc;

// LSP 3.17 structures used by LeanAssist. Property names follow the specification (camelCase via
// LspJsonContext); optional members are nullable and default to null so they may be omitted.
namespace LeanAssist.Protocol.Lsp;

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed record TextDocumentIdentifier(string Uri);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

public sealed record OptionalVersionedTextDocumentIdentifier(string Uri, int? Version);

public sealed record TextDocumentItem(string Uri, string LanguageId, int Version, string Text);

public sealed record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);

// ---- Lifecycle ----

public sealed record ClientInfo(string Name, string? Version = null);

public sealed record WorkspaceFolder(string Uri, string Name);

/// <remarks>
/// <c>capabilities</c> stays raw JSON here: clients send hundreds of capability members in shapes that
/// grow with every LSP version, and one the server cannot read must never fail <c>initialize</c>.
/// <see cref="ClientCapabilitiesReader"/> reads what the server uses from it, leniently.
/// </remarks>
public sealed record InitializeParams(
    int? ProcessId = null,
    ClientInfo? ClientInfo = null,
    string? Locale = null,
    string? RootPath = null,
    string? RootUri = null,
    JsonElement? InitializationOptions = null,
    JsonElement? Capabilities = null,
    string? Trace = null,
    WorkspaceFolder[]? WorkspaceFolders = null,
    MessageId? WorkDoneToken = null);

/// <summary>
/// The client capabilities the server reads, typed as LSP 3.17 defines them (members it does not use are
/// not modelled and are ignored). Built by <see cref="ClientCapabilitiesReader"/>, never straight from the wire.
/// </summary>
public sealed record ClientCapabilities(
    WorkspaceClientCapabilities? Workspace = null,
    TextDocumentClientCapabilities? TextDocument = null,
    WindowClientCapabilities? Window = null,
    GeneralClientCapabilities? General = null,
    JsonElement? Experimental = null);

public sealed record WorkspaceClientCapabilities(
    bool? Configuration = null,
    DynamicRegistrationCapability? DidChangeConfiguration = null,
    bool? WorkspaceFolders = null,
    DynamicRegistrationCapability? ExecuteCommand = null);

public sealed record DynamicRegistrationCapability(bool? DynamicRegistration = null);

public sealed record TextDocumentClientCapabilities(
    CodeActionClientCapabilities? CodeAction = null,
    HoverClientCapabilities? Hover = null);

public sealed record CodeActionClientCapabilities(
    bool? DynamicRegistration = null,
    CodeActionLiteralSupport? CodeActionLiteralSupport = null,
    bool? IsPreferredSupport = null,
    bool? DisabledSupport = null,
    bool? DataSupport = null,
    CodeActionResolveSupport? ResolveSupport = null,
    bool? HonorsChangeAnnotations = null);

public sealed record CodeActionLiteralSupport(CodeActionKindValueSet CodeActionKind);

public sealed record CodeActionKindValueSet(string[] ValueSet);

public sealed record CodeActionResolveSupport(string[] Properties);

public sealed record HoverClientCapabilities(bool? DynamicRegistration = null, string[]? ContentFormat = null);

public sealed record WindowClientCapabilities(
    bool? WorkDoneProgress = null,
    ShowMessageRequestClientCapabilities? ShowMessage = null,
    ShowDocumentClientCapabilities? ShowDocument = null);

public sealed record ShowDocumentClientCapabilities(bool Support);

public sealed record ShowMessageRequestClientCapabilities(MessageActionItemCapabilities? MessageActionItem = null);

public sealed record MessageActionItemCapabilities(bool? AdditionalPropertiesSupport = null);

public sealed record GeneralClientCapabilities(string[]? PositionEncodings = null);

public sealed record InitializeResult(ServerCapabilities Capabilities, ServerInfo? ServerInfo = null);

public sealed record ServerInfo(string Name, string? Version = null);

public sealed record ServerCapabilities(
    string? PositionEncoding = null,
    TextDocumentSyncOptions? TextDocumentSync = null,
    CodeActionOptions? CodeActionProvider = null,
    bool? HoverProvider = null,
    ExecuteCommandOptions? ExecuteCommandProvider = null,
    JsonElement? Experimental = null);

public enum TextDocumentSyncKind
{
    None = 0,
    Full = 1,
    Incremental = 2,
}

public sealed record TextDocumentSyncOptions(bool OpenClose, TextDocumentSyncKind Change);

public sealed record CodeActionOptions(string[]? CodeActionKinds = null, bool? ResolveProvider = null);

public sealed record ExecuteCommandOptions(string[] Commands);

public sealed record SetTraceParams(string Value);

public sealed record LogTraceParams(string Message, string? Verbose = null);

public sealed record CancelParams(MessageId Id);

// ---- Window ----

public enum MessageType
{
    Error = 1,
    Warning = 2,
    Info = 3,
    Log = 4,
    Debug = 5,
}

public sealed record LogMessageParams(MessageType Type, string Message);

public sealed record ShowMessageParams(MessageType Type, string Message);

public sealed record WorkDoneProgressCreateParams(MessageId Token);

public sealed record WorkDoneProgressCancelParams(MessageId Token);

/// <summary><c>$/progress</c> with a work-done value (begin, report or end, told apart by <c>kind</c>).</summary>
public sealed record WorkDoneProgressParams(MessageId Token, WorkDoneProgressValue Value);

public sealed record WorkDoneProgressValue(
    string Kind,
    string? Title = null,
    bool? Cancellable = null,
    string? Message = null,
    int? Percentage = null);

// ---- Workspace ----

public sealed record ConfigurationItem(string? ScopeUri = null, string? Section = null);

public sealed record ConfigurationParams(ConfigurationItem[] Items);

public sealed record DidChangeConfigurationParams(JsonElement? Settings = null);

public sealed record Registration(string Id, string Method, JsonElement? RegisterOptions = null);

public sealed record RegistrationParams(Registration[] Registrations);

public sealed record ExecuteCommandParams(string Command, JsonElement[]? Arguments = null, MessageId? WorkDoneToken = null);

public sealed record TextEdit(Range Range, string NewText);

public sealed record TextDocumentEdit(OptionalVersionedTextDocumentIdentifier TextDocument, TextEdit[] Edits);

public sealed record WorkspaceEdit(Dictionary<string, TextEdit[]>? Changes = null, TextDocumentEdit[]? DocumentChanges = null);

// ---- Text synchronization ----

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

/// <summary>A change: with a range it is incremental, without one it replaces the whole text.</summary>
public sealed record TextDocumentContentChangeEvent(string Text, Range? Range = null, int? RangeLength = null);

public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument, TextDocumentContentChangeEvent[] ContentChanges);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DidSaveTextDocumentParams(TextDocumentIdentifier TextDocument, string? Text = null);

// ---- Language features ----

public enum DiagnosticSeverity
{
    Error = 1,
    Warning = 2,
    Information = 3,
    Hint = 4,
}

public sealed record Diagnostic(
    Range Range,
    string Message,
    DiagnosticSeverity? Severity = null,
    JsonElement? Code = null,
    string? Source = null,
    JsonElement? Data = null);

public enum CodeActionTriggerKind
{
    Invoked = 1,
    Automatic = 2,
}

public sealed record CodeActionContext(Diagnostic[] Diagnostics, string[]? Only = null, CodeActionTriggerKind? TriggerKind = null);

public sealed record CodeActionParams(TextDocumentIdentifier TextDocument, Range Range, CodeActionContext Context, MessageId? WorkDoneToken = null);


public sealed record CodeActionDisabled(string Reason);

public sealed record CodeAction(
    string Title,
    string? Kind = null,
    Diagnostic[]? Diagnostics = null,
    bool? IsPreferred = null,
    CodeActionDisabled? Disabled = null,
    WorkspaceEdit? Edit = null,
    LspCommand? Command = null,
    JsonElement? Data = null);

/// <summary>LSP <c>Command</c> (named so to avoid clashing with command-line types).</summary>
public sealed record LspCommand(string Title, string Command, JsonElement[]? Arguments = null);

public static class CodeActionKinds
{
    public const string QuickFix = "quickfix";
}

public sealed record HoverParams(TextDocumentIdentifier TextDocument, Position Position, MessageId? WorkDoneToken = null);

public sealed record MarkupContent(string Kind, string Value)
{
    public static MarkupContent Markdown(string value) => new("markdown", value);
}

public sealed record Hover(MarkupContent Contents, Range? Range = null);
