// Node-RED settings for the bench peer (bench/run.sh): headless, loopback only, no editor, no admin API, no credentials.
// The flow file and the port come from the environment set by run.sh.
module.exports = {
    flowFile: process.env.BN_NR_FLOWS,
    flowFilePretty: true,
    credentialSecret: false,
    uiHost: "127.0.0.1",
    uiPort: Number(process.env.BN_NR_PORT || 1880),
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    logging: { console: { level: "info", metrics: false, audit: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    editorTheme: { projects: { enabled: false } }
};
