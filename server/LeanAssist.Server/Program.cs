using LeanAssist.Server.CommandLine;

return await LeanAssistCommandLine.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
