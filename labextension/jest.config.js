// Unit tests for the pure TypeScript logic (bundle parsing, locating and rewriting calls) and for the
// builder canvas's ES module (kernelkit/widgets/static/canvas.js, compiled by ts-jest with allowJs).
// They run under Node; nothing here needs a browser or JupyterLab.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testRegex: 'src/__tests__/.*\\.spec\\.ts$',
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json']
};
