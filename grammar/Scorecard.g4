// The syntax of the healthc scorecard language, v1 (docs/language.md). Syntax only: names,
// types and every other rule are checked on the AST (compiler/check/).
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
  | ENUM_T '(' name (',' name)* ','? ')'   # enumType
  ;

paramDecl : PARAM name '=' signedNumber ;

bandsDecl : BANDS '{' bandDecl* '}' ;
bandDecl  : name FROM signedNumber COLOR name STRING? ;

measureDecl : MEASURE name STRING? SUBJECTIVE? '{' measureItem* '}' ;
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
matchPattern : name | STRING | TRUE | FALSE | '_' ;

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
  | name '(' (expr (',' expr)*)? ')'    # callExpr
  | name '.' (VALUE | SCORE)            # measureRef
  | name                                # nameRef
  | VALUE                               # valueRef
  | SCORE                               # scoreRef
  | BAND                                # bandRef
  | SEGMENT                             # segmentRef
  | UNSCORED                            # unscoredRef
  | '(' expr ')'                        # parenExpr
  ;

signedNumber : '-'? NUM ;
name : IDENT ;

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

// A number with an optional fraction and exponent; a trailing % divides by 100.
NUM    : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? '%'? ;
fragment DIGITS : [0-9]+ ;
IDENT  : [A-Za-z_] [A-Za-z0-9_]* ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string that reaches the end of its line: reported as unterminated, not as junk.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;

LINE_COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
WS : [ \t\r\n\f]+ -> skip ;
// Anything else becomes one token so the parser reports it in place and recovers.
INVALID : . ;
