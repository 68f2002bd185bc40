using DeviceSim.Cli;

// Table of contents: the command tree lives in Cli/ (run, bench, faults, replay); each command wires its own parts.
return await CliApp.Build().Parse(args).InvokeAsync();
