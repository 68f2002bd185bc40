// The worker's console log becomes part of each test's output, so a failing fault test shows what the worker saw.
[assembly: CaptureConsole]
