// What makes a HelloID wrapper unfit for the agent it runs on: a syntax error
// in the tree-sitter PowerShell grammar's eyes, or a construct that Windows
// PowerShell 5.1 (HelloID's on-premises agent) does not have although the
// grammar, which follows PowerShell 7, accepts it.
//
// Everything here is a pure function of a parsed tree and the source text, so
// the checks can be tested on small samples (testdata/).

// The forbidden lists name what PowerShell 6 and 7 added that a script could
// plausibly use. They are not every difference between the versions: the
// grammar rejects the new operators itself (??, ??=, ?., ?[], ? :), and these
// lists cover what it accepts.

// Cmdlets that Windows PowerShell 5.1 does not have.
const newCommands = new Map(Object.entries({
  'get-error': 'Get-Error is PowerShell 7',
  'join-string': 'Join-String is PowerShell 6.2',
  'test-json': 'Test-Json is PowerShell 6.1',
  'convertfrom-markdown': 'ConvertFrom-Markdown is PowerShell 6.1',
  'show-markdown': 'Show-Markdown is PowerShell 6.1',
  'get-markdownoption': 'Get-MarkdownOption is PowerShell 6.1',
  'set-markdownoption': 'Set-MarkdownOption is PowerShell 6.1',
  'remove-alias': 'Remove-Alias is PowerShell 6',
  'remove-service': 'Remove-Service is PowerShell 6',
  'get-uptime': 'Get-Uptime is PowerShell 6',
  'get-pssubsystem': 'Get-PSSubsystem is PowerShell 7.3',
  'get-experimentalfeature': 'Get-ExperimentalFeature is PowerShell 6.2',
  'enable-experimentalfeature': 'Enable-ExperimentalFeature is PowerShell 6.2',
  'disable-experimentalfeature': 'Disable-ExperimentalFeature is PowerShell 6.2',
}));

// Aliases 5.1 has for the commands below.
const aliases = new Map(Object.entries({
  '%': 'foreach-object', foreach: 'foreach-object',
  '?': 'where-object', where: 'where-object',
  irm: 'invoke-restmethod', iwr: 'invoke-webrequest', curl: 'invoke-webrequest', wget: 'invoke-webrequest',
  gc: 'get-content', cat: 'get-content', type: 'get-content', sc: 'set-content', ac: 'add-content',
  saps: 'start-process', start: 'start-process', epcsv: 'export-csv',
}));

// Parameters every cmdlet has, in 5.1 too.
const common = ['verbose', 'debug', 'erroraction', 'warningaction', 'informationaction', 'errorvariable',
  'warningvariable', 'informationvariable', 'outvariable', 'outbuffer', 'pipelinevariable', 'whatif', 'confirm'];

const web51 = ['method', 'usebasicparsing', 'uri', 'websession', 'sessionvariable', 'credential',
  'usedefaultcredentials', 'certificatethumbprint', 'certificate', 'useragent', 'disablekeepalive', 'timeoutsec',
  'headers', 'maximumredirection', 'proxy', 'proxycredential', 'proxyusedefaultcredentials', 'body', 'contenttype',
  'transferencoding', 'infile', 'outfile', 'passthru'];
const web7 = ['skipcertificatecheck', 'skiphttperrorcheck', 'skipheadervalidation', 'statuscodevariable',
  'responseheadersvariable', 'authentication', 'token', 'allowunencryptedauthentication', 'sslprotocol', 'form',
  'resume', 'maximumretrycount', 'retryintervalsec', 'connectiontimeoutseconds', 'operationtimeoutseconds',
  'httpversion', 'followrellink', 'maximumfollowrellink', 'custommethod', 'noproxy',
  'preserveauthorizationonredirect', 'allowinsecureredirect'];
const content51 = ['path', 'literalpath', 'filter', 'include', 'exclude', 'force', 'credential', 'encoding', 'stream',
  'usetransaction'];
const csv51 = ['inputobject', 'path', 'literalpath', 'force', 'noclobber', 'encoding', 'append', 'delimiter',
  'useculture', 'notypeinformation'];
const csv7 = ['usequotes', 'quotefields', 'noheader', 'includetypeinformation'];

// Per cmdlet: the parameters 5.1 has (so that an abbreviation of one of them is
// not taken for a new one) and those added since.
const parameters = new Map(Object.entries({
  'convertfrom-json': { v51: ['inputobject'], v7: ['ashashtable', 'depth', 'noenumerate', 'datekind'] },
  'convertto-json': { v51: ['inputobject', 'depth', 'compress'], v7: ['asarray', 'enumsasstrings', 'escapehandling'] },
  'foreach-object': {
    v51: ['inputobject', 'begin', 'process', 'end', 'remainingscripts', 'membername', 'argumentlist'],
    v7: ['parallel', 'throttlelimit', 'timeoutseconds', 'asjob', 'usenewrunspace'],
  },
  'where-object': {
    v51: ['inputobject', 'filterscript', 'property', 'value', 'eq', 'ceq', 'ne', 'cne', 'gt', 'cgt', 'lt', 'clt',
      'ge', 'cge', 'le', 'cle', 'like', 'clike', 'notlike', 'cnotlike', 'match', 'cmatch', 'notmatch', 'cnotmatch',
      'contains', 'ccontains', 'notcontains', 'cnotcontains', 'in', 'cin', 'notin', 'cnotin', 'is', 'isnot'],
    v7: ['not'],
  },
  'invoke-restmethod': { v51: web51, v7: web7 },
  'invoke-webrequest': { v51: web51, v7: web7 },
  'get-content': {
    v51: [...content51, 'readcount', 'totalcount', 'tail', 'delimiter', 'wait', 'raw', 'head', 'first', 'last'],
    v7: ['asbytestream'],
  },
  'set-content': { v51: [...content51, 'value', 'passthru', 'nonewline'], v7: ['asbytestream'] },
  'add-content': { v51: [...content51, 'value', 'passthru', 'nonewline'], v7: ['asbytestream'] },
  'split-path': {
    v51: ['path', 'literalpath', 'parent', 'leaf', 'qualifier', 'noqualifier', 'isabsolute', 'resolve', 'credential',
      'usetransaction'],
    v7: ['leafbase', 'extension'],
  },
  'get-date': {
    v51: ['date', 'year', 'month', 'day', 'hour', 'minute', 'second', 'millisecond', 'displayhint', 'uformat', 'format'],
    v7: ['asutc', 'unixtimeseconds'],
  },
  'start-process': {
    v51: ['filepath', 'argumentlist', 'credential', 'workingdirectory', 'loaduserprofile', 'nonewwindow', 'passthru',
      'redirectstandarderror', 'redirectstandardinput', 'redirectstandardoutput', 'verb', 'windowstyle', 'wait',
      'usenewenvironment'],
    v7: ['environment'],
  },
  'export-csv': { v51: csv51, v7: csv7 },
  'convertto-csv': { v51: csv51, v7: csv7 },
}));

// -Encoding values 5.1 does not know (it writes UTF8 with a BOM and has no
// spelling for without).
const newEncodings = new Set(['utf8nobom', 'utf8bom', 'ansi']);

// Automatic and preference variables 5.1 does not have.
const newVariables = new Map(Object.entries({
  psstyle: '$PSStyle is PowerShell 7.2',
  iswindows: '$IsWindows is PowerShell 6',
  islinux: '$IsLinux is PowerShell 6',
  ismacos: '$IsMacOS is PowerShell 6',
  iscoreclr: '$IsCoreCLR is PowerShell 6',
  psnativecommandargumentpassing: '$PSNativeCommandArgumentPassing is PowerShell 7.3',
  psnativecommanduseerroractionpreference: '$PSNativeCommandUseErrorActionPreference is PowerShell 7.3',
}));

// .NET members that exist on .NET (Core), which PowerShell 7 runs on, but not
// on the .NET Framework under Windows PowerShell 5.1.
const newMembers = new Map(Object.entries({
  argumentlist: 'ProcessStartInfo.ArgumentList is .NET Core 2.1+; the .NET Framework under Windows PowerShell 5.1 has only .Arguments',
  standardinputencoding: 'ProcessStartInfo.StandardInputEncoding is .NET Core 2.1+; write UTF-8 through a StreamWriter on StandardInput.BaseStream',
  waitforexitasync: 'Process.WaitForExitAsync is .NET 5+',
}));

// .NET types the .NET Framework does not have (names without "System.").
const newTypes = [['text.json', 'System.Text.Json is .NET Core 3.0+'], ['range', 'System.Range is .NET Core 3.0+'],
  ['index', 'System.Index is .NET Core 3.0+'], ['hashcode', 'System.HashCode is .NET Core 2.1+'],
  ['dateonly', 'System.DateOnly is .NET 6+'], ['timeonly', 'System.TimeOnly is .NET 6+'], ['half', 'System.Half is .NET 5+']];

const v51 = 'not in Windows PowerShell 5.1, which HelloID\'s on-premises agent runs';

/**
 * problems returns every reason the parsed script is unfit, in source order:
 * {line, column (both 1-based), rule, message}.
 */
export function problems(tree, source) {
  const found = [];
  const add = (node, rule, message) => found.push({
    line: node.startPosition.row + 1, column: node.startPosition.column + 1, rule, message,
  });
  syntax(tree.rootNode, add);
  walk(tree.rootNode, (node) => version51(node, add));
  ascii(source, found);
  found.sort((a, b) => a.line - b.line || a.column - b.column);
  return found;
}

// syntax reports the grammar's ERROR and MISSING nodes, and the clauses
// PowerShell itself refuses that the grammar lets through.
function syntax(root, add) {
  let reported = false;
  walk(root, (node) => {
    if (node.isMissing) {
      // A missing bracket is best named at the bracket that it would close.
      const unbalanced = Object.values(closers).includes(node.type) ? brackets(node) : null;
      if (unbalanced) add(unbalanced.at, 'syntax', unbalanced.message);
      else add(node, 'syntax', `missing "${node.type}"`);
      reported = true;
    } else if (node.isError) {
      const { at, message } = explain(node);
      add(at, 'syntax', message);
      reported = true;
      return false; // one report per broken region
    }
    if (node.type === 'try_statement' &&
        !node.children.some((c) => c.type === 'catch_clauses' || c.type === 'finally_clause')) {
      add(node, 'syntax', 'try without catch or finally');
    }
    if (node.type === 'command_name' && dangling.has(node.text.toLowerCase())) {
      add(node, 'syntax', `"${node.text}" without the statement it belongs to`);
    }
    return true;
  });
  if (root.hasError && !reported) {
    // The grammar knows the tree is broken but marks no node: point at the
    // deepest node that carries the error.
    let node = root;
    for (let next = node; next;) {
      node = next;
      next = node.children.find((c) => c.hasError);
    }
    add(node, 'syntax', `syntax error near ${snippet(node.text)}`);
  }
}

// What a broken region most likely lacks, tried in order on its code (its
// comments and the strings that did parse blanked out): PowerShell 7
// operators first, then a string without its end, at the place PowerShell
// would name.
const hints = [
  [/\?\?=?/, (m) => `${m} is PowerShell 7: ${v51}`],
  [/[\w}\])]\?[.[]/, () => `?. and ?[] are PowerShell 7: ${v51}`, 1],
  [/[^\s|]\s+\?\s[^\n]*\s:\s/, () => `the ternary operator ? : is PowerShell 7: ${v51}`, -1],
  [/(?:^|[\s;{])clean\s*\{/, () => `the clean block is PowerShell 7.3: ${v51}`, -1],
  [/@["'][ \t]*\r?\n(?![\s\S]*\n["']@)/, (m) => `here-string without its closing ${m.charAt(1)}@ at the start of a line`],
  [/["']/, (m) => `string without its closing ${m}`],
];

// explain returns where a broken region's trouble most likely is and what it is.
function explain(error) {
  // The region and what follows it in its parent: ? of a ternary can be an
  // ERROR of its own, and a clean block follows the block the grammar rejects.
  const scope = error.parent ?? error;
  const code = blanked(scope);
  const from = Math.max(0, error.startIndex - scope.startIndex - 2);
  for (const [pattern, message, shift = 0] of hints) {
    const m = pattern.exec(code.slice(from));
    if (!m) continue;
    let index = from + m.index;
    if (shift === 1) index += 1; // past the name before ?.
    if (shift === -1) index += m[0].search(/[?c]/); // the operator, not what precedes it
    return { at: positionIn(scope, index), message: message(m[0]) };
  }
  const unbalanced = brackets(error);
  if (unbalanced) return unbalanced;
  let inner = null;
  walk(error, (node) => {
    if (inner) return false;
    if (node !== error && (node.isError || node.isMissing)) inner = node;
    return !inner;
  });
  if (inner?.isMissing) return { at: inner, message: `missing "${inner.type}"` };
  const at = inner ?? error.children.find((c) => c.type !== 'comment') ?? error;
  return { at, message: `syntax error: cannot parse ${snippet(at.text)}` };
}

const closers = { '(': ')', '{': '}', '[': ']' };

// brackets finds, in the whole script's code, a bracket that closes nothing
// or the innermost one never closed.
function brackets(node) {
  let root = node;
  while (root.parent) root = root.parent;
  const code = blanked(root);
  const open = [];
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '`') { i++; continue; } // an escaped character
    if (closers[ch]) open.push(i);
    else if (ch === ')' || ch === '}' || ch === ']') {
      if (open.length === 0 || closers[code[open[open.length - 1]]] !== ch) {
        return { at: positionIn(root, i), message: `"${ch}" closes nothing` };
      }
      open.pop();
    }
  }
  if (open.length === 0) return null;
  const i = open[open.length - 1];
  return { at: positionIn(root, i), message: `"${code[i]}" is never closed: missing "${closers[code[i]]}"` };
}

// blanked is node's text with its comments and parsed strings turned to
// spaces (line breaks kept), so that what they say is not taken for code.
function blanked(node) {
  const chars = node.text.split(''); // indexed as tree-sitter indexes: UTF-16 units
  const base = node.startIndex;
  walk(node, (n) => {
    if (n.type !== 'comment' && n.type !== 'string_literal') return true;
    for (let i = n.startIndex - base; i < n.endIndex - base; i++) {
      if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
    }
    return false;
  });
  return chars.join('');
}

// positionIn is a stand-in node for the place index characters into node.
function positionIn(node, index) {
  const before = node.text.slice(0, index);
  const lines = before.split('\n');
  const row = node.startPosition.row + lines.length - 1;
  const column = lines.length === 1 ? node.startPosition.column + index : lines[lines.length - 1].length;
  return { startPosition: { row, column } };
}

const dangling = new Set(['catch', 'finally', 'else', 'elseif', 'until']);

function version51(node, add) {
  switch (node.type) {
    case 'pipeline_chain_tail':
      add(node, 'ps51', `pipeline chain operator ${node.children[0]?.text ?? '&&'}: ${v51} (use if ($?) { … })`);
      break;
    case 'command':
      command(node, add);
      break;
    case 'variable': {
      const name = variableName(node.text);
      if (newVariables.has(name)) add(node, 'ps51', `${newVariables.get(name)}: ${v51}`);
      break;
    }
    case 'member_name': {
      const name = node.text.toLowerCase();
      if (newMembers.has(name)) add(node, 'ps51', newMembers.get(name));
      if (name === 'kill' && node.nextSibling?.type === 'argument_list' &&
          node.nextSibling.children.some((c) => c.type === 'argument_expression_list')) {
        add(node, 'ps51', 'Process.Kill(bool), which ends the whole process tree, is .NET Core 3.0+; the .NET Framework has only Kill()');
      }
      break;
    }
    case 'type_spec': {
      const name = node.text.toLowerCase().replace(/^system\./, '');
      for (const [prefix, why] of newTypes) {
        if (name === prefix || name.startsWith(prefix + '.') || name.startsWith(prefix + '[')) {
          add(node, 'ps51', `${why}, not the .NET Framework that Windows PowerShell 5.1 runs on`);
        }
      }
      break;
    }
    case 'comparison_operator':
      if (/^-[ic]?replace$/i.test(node.text)) replaceWithScriptBlock(node, add);
      break;
    case 'generic_token':
      // The grammar reads some PowerShell 7 operators in a command's
      // arguments as bare words: Write-Output $a ?? $b.
      if (node.parent?.type === 'command_elements' && /^(\?\?=?|\?|\?\..*|\?\[.*)$/.test(node.text)) {
        add(node, 'ps51', `operator ${snippet(node.text)} is PowerShell 7: ${v51}`);
      }
      break;
  }
  return true;
}

function command(node, add) {
  const nameNode = node.children.find((c) => c.type === 'command_name');
  if (!nameNode) return;
  let name = nameNode.text.toLowerCase();
  name = name.slice(name.lastIndexOf('\\') + 1); // Module\Command
  name = aliases.get(name) ?? name;
  if (newCommands.has(name)) add(nameNode, 'ps51', `${newCommands.get(name)}: ${v51}`);
  const elements = node.children.find((c) => c.type === 'command_elements');
  if (name === 'clean' && elements?.namedChildren.some((c) => c.text.startsWith('{'))) {
    add(nameNode, 'ps51', `the clean block is PowerShell 7.3: ${v51}`);
  }
  if (!elements) return;
  const known = parameters.get(name);
  const args = elements.namedChildren.filter((c) => c.type !== 'command_argument_sep');
  args.forEach((arg, i) => {
    if (arg.type !== 'command_parameter') return;
    const parameter = arg.text.replace(/^[-\u2013\u2014]/, '').replace(/:.*$/s, '').toLowerCase();
    if (known && isNewParameter(parameter, known)) {
      add(arg, 'ps51', `${nameNode.text} ${arg.text.replace(/:.*$/s, '')} is PowerShell 6 or 7: ${v51}`);
    }
    if ('encoding'.startsWith(parameter) && parameter.length >= 3) {
      const inline = arg.text.includes(':') ? arg.text.slice(arg.text.indexOf(':') + 1) : null;
      const value = (inline || args[i + 1]?.text || '').replace(/^['"]|['"]$/g, '').toLowerCase();
      if (newEncodings.has(value)) {
        add(args[i + 1] ?? arg, 'ps51', `-Encoding ${value} is PowerShell 6 or 7: ${v51} (its UTF8 writes a byte-order mark)`);
      }
    }
  });
}

// A parameter is new when it names one added since 5.1, in full or by an
// abbreviation that no 5.1 parameter of the cmdlet shares.
function isNewParameter(parameter, { v51: old, v7: added }) {
  if (added.includes(parameter)) return true;
  if (parameter.length < 2 || !added.some((p) => p.startsWith(parameter))) return false;
  return ![...old, ...common].some((p) => p.startsWith(parameter));
}

// -replace with a script block as replacement is PowerShell 6.1; 5.1 turns the
// script block into its text and replaces with that, silently.
function replaceWithScriptBlock(operator, add) {
  const right = operator.nextSibling;
  if (!right) return;
  let found = null;
  walk(right, (node) => {
    if (found) return false;
    if (node.type === 'script_block_expression') {
      found = node;
      return false;
    }
    return !['parenthesized_expression', 'sub_expression', 'array_expression'].includes(node.type);
  });
  if (found) add(found, 'ps51', `${operator.text} with a script block as replacement is PowerShell 6.1; Windows PowerShell 5.1, which HelloID's on-premises agent runs, replaces with the block's text instead`);
}

// ascii: Windows PowerShell 5.1 reads a script file without a byte-order mark
// in the machine's ANSI code page, so a wrapper keeps to ASCII and reads the
// same wherever it is saved or pasted.
function ascii(source, found) {
  const lines = source.split('\n');
  lines.forEach((text, row) => {
    const column = [...text].findIndex((ch) => ch.codePointAt(0) > 0x7e || (ch.codePointAt(0) < 0x20 && ch !== '\t' && ch !== '\r'));
    if (column >= 0) {
      const ch = [...text][column];
      const code = ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
      const what = code === 'FEFF' ? 'a byte-order mark' : `the character U+${code}`;
      found.push({
        line: row + 1, column: column + 1, rule: 'ascii',
        message: `${what}: keep the wrappers ASCII, since Windows PowerShell 5.1 reads a script without a byte-order mark in the ANSI code page`,
      });
    }
  });
}

function variableName(text) {
  let name = text.replace(/^[$@]/, '');
  if (name.startsWith('{') && name.endsWith('}')) name = name.slice(1, -1);
  return name.replace(/^(global|script|local|private):/i, '').toLowerCase();
}

// walk visits node and its descendants depth first; visit returns false to
// skip a node's children.
function walk(node, visit) {
  if (visit(node) === false) return;
  for (const child of node.children) walk(child, visit);
}

function snippet(text) {
  const first = text.split('\n')[0].trim();
  return JSON.stringify(first.length > 40 ? first.slice(0, 40) + '…' : first);
}
