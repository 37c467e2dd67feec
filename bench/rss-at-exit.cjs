// Preloaded (node --require) into a command the bench runs: its peak RSS, every thread's, on stderr at exit.
process.on('exit', () => process.stderr.write(`\nMAXRSS ${process.resourceUsage().maxRSS}\n`));
