using LeanAssist.Server.CommandLine;

return await LeanAssistCommandLine.InvokeAsync(args).ConfigureAwait(false);
