// The syntax of the healthc scorecard language, v2 (docs/language.md). Syntax only: names,
// types and every other rule are checked on the AST (compiler/check/). v2's words are soft:
// `alert`, `severity`, `stale`, `after` and `of` are tokens the `name` rule also accepts, and
// `previous`, `none`, `days`, `weeks` and the severity levels are plain names the AST builder
// and the checker read by their text, so a v1 card that uses any of them as a name stays valid.
grammar Scorecard;

file : decl* EOF ;

decl
  : scorecardDecl
  | fieldsDecl
  | paramDecl
  | bandsDecl
  | measureDecl
  | modelDecl
  | segmentDecl
  | overrideDecl
  | labelDecl
  | alertDecl
  | rollupDecl
  ;

scorecardDecl : SCORECARD STRING ;

fieldsDecl : FIELDS '{' fieldDecl* '}' ;
fieldDecl  : name ':' typeRef fieldFlag* ;
fieldFlag  : OPTIONAL | KEY ;
typeRef
  : NUMBER_T                          # numberType
  | BOOL_T                            # boolType
  | TEXT_T                            # textType
  | DATE_T                            # dateType
  | ENUM_T '(' enumMember (',' enumMember)* ','? ')'   # enumType
  ;
// `monthly = "Month-to-month"`: a member as the data spells it. Any keyword is a member name
// here (US state codes `in`, `or`); elsewhere a keyword is a name in backquotes.
enumMember : (name | keyword) ('=' STRING)? ;
keyword
  : SCORECARD | FIELDS | PARAM | BANDS | FROM | COLOR | MEASURE | SUBJECTIVE | VALUE | SCORE
  | MISSING | UNSCORED | MODEL | EXTENDS | GROUP | DROP | SEGMENT | WHEN | USE | OVERRIDE | FOR
  | LABEL | OTHERWISE | AND | OR | NOT | IN | IS | IF | THEN | ELSE | LINEAR | RANGES | MATCH
  | OPTIONAL | KEY | NUMBER_T | BOOL_T | TEXT_T | DATE_T | ENUM_T | BAND | CAP | FLOOR | TRUE
  | FALSE
  ;

paramDecl : PARAM name '=' signedNumber ;

bandsDecl : BANDS '{' bandDecl* '}' ;
bandDecl  : name FROM signedNumber COLOR name STRING? ;

measureDecl : MEASURE name STRING? SUBJECTIVE? staleRule? '{' measureItem* '}' ;
// `stale after N days of DATEFIELD`; the unit is a name the builder reads (days, weeks).
staleRule   : STALE AFTER signedNumber unit=name OF field=name ;
measureItem
  : VALUE '=' expr                    # valueItem
  | SCORE '=' scoring                 # scoreItem
  | MISSING '=' missingPolicy         # missingItem
  ;
missingPolicy : UNSCORED | signedNumber ;

scoring
  : LINEAR '(' expr (',' linearPoint)+ ','? ')'         # linearScoring
  | RANGES '(' expr ')' '{' rangeArm* '}'                # rangesScoring
  | MATCH expr '{' matchArm (','? matchArm)* ','? '}'    # matchScoring
  | expr                                                 # exprScoring
  ;
linearPoint : signedNumber '->' signedNumber ;
rangeArm    : lo=signedNumber? '..' hi=signedNumber? '->' signedNumber ;
matchArm    : pattern=matchPattern '->' signedNumber ;
// A number is not a pattern; it is parsed so the checker can say what scores a number.
matchPattern : name | STRING | TRUE | FALSE | '_' | signedNumber ;

modelDecl  : MODEL name (EXTENDS name)? '{' modelEntry* '}' ;
modelEntry
  : GROUP name STRING? signedNumber? '{' modelEntry* '}'   # groupEntry
  | DROP name                                              # dropEntry
  | name signedNumber                                      # measureEntry
  ;

segmentDecl  : SEGMENT name STRING? WHEN expr USE name ;
overrideDecl : OVERRIDE name STRING? (FOR name (',' name)*)? WHEN expr '=>' action ;
action
  : SCORE signedNumber     # scoreAction
  | CAP signedNumber       # capAction
  | FLOOR signedNumber     # floorAction
  | BAND name              # bandAction
  ;
labelDecl : LABEL name STRING? (WHEN expr | OTHERWISE) ;
alertDecl : ALERT name STRING? (FOR name (',' name)*)? WHEN expr (SEVERITY level=name)? ;
// `rollup NAME ["Title"] by FIELD[, FIELD ...] [weight FIELD]` (spec "Roll-ups"). `rollup`, `by`
// and `weight` are soft too: tokens the `name` rule accepts. The weight's name may be absent (the
// AST builder reports it) and is never a word that starts a declaration, so a `weight` left
// without its field does not swallow the next `rollup` or `alert`.
rollupDecl : ROLLUP name STRING? BY by+=name (',' by+=name)* (WEIGHT weight=weightName?)? ;
weightName : IDENT | SEVERITY | STALE | AFTER | OF | BY | WEIGHT ;

// Expressions. ANTLR gives earlier alternatives tighter binding, so they are listed tightest
// first: unary -; * /; + -; comparisons, `in`, `is missing`; not; and; or; if.
expr
  : '-' expr                                       # negExpr
  | expr op=('*'|'/') expr                         # mulExpr
  | expr op=('+'|'-') expr                         # addExpr
  | expr op=('=='|'!='|'<'|'<='|'>'|'>=') expr     # compareExpr
  | expr NOT? IN '[' (expr (',' expr)* ','?)? ']'  # inExpr
  | expr IS NOT? MISSING                           # isMissingExpr
  | NOT expr                                       # notExpr
  | expr AND expr                                  # andExpr
  | expr OR expr                                   # orExpr
  | IF expr THEN expr ELSE expr                    # ifExpr
  | primary                                        # primaryExpr
  ;

primary
  : NUM                                 # numberLit
  | STRING                              # stringLit
  | TRUE                                # trueLit
  | FALSE                               # falseLit
  | name '(' expr ',' signedNumber unit=name ')'   # windowCall
  | name '(' (expr (',' expr)*)? ')'    # callExpr
  | name '.' (VALUE | SCORE)            # measureRef
  // `previous.band`, `previous.label`, ...: the builder reads the qualifier's text.
  | name '.' member=(BAND | LABEL | SEGMENT | OVERRIDE)   # pastRef
  | name '.' name ('.' (VALUE | SCORE))?                 # pastNameRef
  | name                                # nameRef
  | VALUE                               # valueRef
  | SCORE                               # scoreRef
  | BAND                                # bandRef
  | SEGMENT                             # segmentRef
  | LABEL                               # labelRef
  | UNSCORED                            # unscoredRef
  | '(' expr ')'                        # parenExpr
  ;

signedNumber : '-'? NUM ;
// v2's soft keywords are names wherever a name is wanted.
name : IDENT | ALERT | SEVERITY | STALE | AFTER | OF
     | ROLLUP | BY | WEIGHT ;

// Keywords. Color and function names are not keywords.
SCORECARD : 'scorecard' ;
FIELDS    : 'fields' ;
PARAM     : 'param' ;
BANDS     : 'bands' ;
FROM      : 'from' ;
COLOR     : 'color' ;
MEASURE   : 'measure' ;
SUBJECTIVE: 'subjective' ;
VALUE     : 'value' ;
SCORE     : 'score' ;
MISSING   : 'missing' ;
UNSCORED  : 'unscored' ;
MODEL     : 'model' ;
EXTENDS   : 'extends' ;
GROUP     : 'group' ;
DROP      : 'drop' ;
SEGMENT   : 'segment' ;
WHEN      : 'when' ;
USE       : 'use' ;
OVERRIDE  : 'override' ;
FOR       : 'for' ;
LABEL     : 'label' ;
OTHERWISE : 'otherwise' ;
AND       : 'and' ;
OR        : 'or' ;
NOT       : 'not' ;
IN        : 'in' ;
IS        : 'is' ;
IF        : 'if' ;
THEN      : 'then' ;
ELSE      : 'else' ;
LINEAR    : 'linear' ;
RANGES    : 'ranges' ;
MATCH     : 'match' ;
OPTIONAL  : 'optional' ;
KEY       : 'key' ;
NUMBER_T  : 'number' ;
BOOL_T    : 'bool' ;
TEXT_T    : 'text' ;
DATE_T    : 'date' ;
ENUM_T    : 'enum' ;
BAND      : 'band' ;
CAP       : 'cap' ;
FLOOR     : 'floor' ;
TRUE      : 'true' ;
FALSE     : 'false' ;
// v2, soft (see `name`).
ALERT     : 'alert' ;
SEVERITY  : 'severity' ;
STALE     : 'stale' ;
AFTER     : 'after' ;
OF        : 'of' ;
ROLLUP    : 'rollup' ;
BY        : 'by' ;
WEIGHT    : 'weight' ;

// A number with an optional fraction and exponent; a trailing % divides by 100.
NUM    : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? '%'? ;
fragment DIGITS : [0-9]+ ;
IDENT  : [A-Za-z_] [A-Za-z0-9_]* ;
// `in`, `value`: a name in backquotes, wherever a name is wanted (the builder strips them; the
// screen reports an empty or malformed one).
QUOTED_NAME : '`' ~[`\r\n]* '`' -> type(IDENT) ;
// A backquoted name that reaches the end of its line: reported as not closed, as a string is.
UNTERMINATED_QUOTED_NAME : '`' ~[`\r\n]* ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string that reaches the end of its line: reported as unterminated, not as junk.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;

LINE_COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
WS : [ \t\r\n\f]+ -> skip ;
// Anything else becomes one token so the parser reports it in place and recovers.
INVALID : . ;
